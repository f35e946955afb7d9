#!/bin/sh
# /init of the VM test's guest (busybox sh; copied into the initramfs by ci/vm/prepare.sh).
#
# Loads the USB/IP client (vhci-hcd) and cdc_acm, brings up user-mode networking, attaches the
# virtual phone that mtkemu exports on the host (`usbip attach`, host = 10.0.2.2), checks that it
# enumerates as 0e8d:2000 and that cdc_acm binds it as it would a real phone, runs the test
# program (which opens it through libusb), and ends with one line the host script reads:
#   MTKVM-RESULT status=N
# Figures are printed as "MTKVM-FIGURE name=value" lines. Parameters come from the kernel
# command line: mtkvm.port (mtkemu's TCP port), mtkvm.busid (default 1-1),
# mtkvm.min_passed (default 7), mtkvm.echo_repeat (default 5), mtkvm.filter (gtest filter).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs run /run
mount -t tmpfs tmp /tmp

# Milliseconds since the kernel started (/proc/uptime has centiseconds).
now_ms() {
  read -r up _ </proc/uptime
  s=${up%.*}
  c=${up#*.}
  c=${c#0}
  echo $((s * 1000 + c * 10))
}

echo "MTKVM: /init started at $(now_ms) ms of guest uptime"

result() {
  echo "MTKVM-RESULT status=$1"
  # Let the console drain before the machine goes away.
  sleep 0.2
  poweroff -f
  sleep 10
}

fail() {
  echo "MTKVM: FAIL: $*"
  result 1
}

port=3240
busid=1-1
min_passed=7
echo_repeat=5
filter='*libusb*'
set -f  # the gtest filter has * in it
for arg in $(cat /proc/cmdline); do
  case $arg in
    mtkvm.port=*) port=${arg#*=} ;;
    mtkvm.busid=*) busid=${arg#*=} ;;
    mtkvm.min_passed=*) min_passed=${arg#*=} ;;
    mtkvm.echo_repeat=*) echo_repeat=${arg#*=} ;;
    mtkvm.filter=*) filter=${arg#*=} ;;
  esac
done
set +f

# Modules, dependencies first (the order modprobe --show-depends gave on the host).
while read -r mod; do
  opts=""
  [ "$mod" = usbcore.ko ] && opts="autosuspend=-1"
  insmod "/lib/mtkvm/$mod" $opts || fail "insmod $mod"
done </lib/mtkvm/modules.list
[ -d /sys/bus/platform/drivers/vhci_hcd ] || fail "vhci_hcd did not register"

# User-mode networking: the host's loopback is 10.0.2.2.
ip link set lo up
eth=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  for n in /sys/class/net/*; do
    case ${n##*/} in lo) ;; *) eth=${n##*/} ;; esac
  done
  [ -n "$eth" ] && break
  sleep 0.1
done
[ -n "$eth" ] || fail "no network interface (virtio_net)"
ip link set "$eth" up
ip addr add 10.0.2.15/24 dev "$eth"
ip route add default via 10.0.2.2

# udevd with no rules: it only relays the kernel's hotplug events to libudev's listeners, which
# is how a running libusb program learns that a device appeared (libusb enumerates sysfs only
# when it starts).
mkdir -p /run/udev
/usr/lib/systemd/systemd-udevd --daemon || fail "systemd-udevd did not start"

# Attach, then wait on sysfs (nothing here waits for udev).
t0=$(now_ms)
usbip --tcp-port "$port" attach -r 10.0.2.2 -b "$busid" || fail "usbip attach -r 10.0.2.2 -b $busid (port $port)"
t1=$(now_ms)
# The waits use shell builtins only: every fork costs milliseconds under software emulation.
dev=""
i=0
while [ $i -lt 1000 ]; do
  for d in /sys/bus/usb/devices/*; do
    [ -f "$d/idVendor" ] || continue
    read -r v <"$d/idVendor"
    read -r p <"$d/idProduct"
    c=""
    read -r c <"$d/bConfigurationValue" 2>/dev/null
    [ "$v:$p:$c" = 0e8d:2000:1 ] && dev=${d##*/}
  done
  [ -n "$dev" ] && break
  sleep 0.005
  i=$((i + 1))
done
t2=$(now_ms)
[ -n "$dev" ] || {
  ls -l /sys/bus/usb/devices/
  fail "no configured 0e8d:2000 device appeared within 5 s of the attach"
}
sysdev=/sys/bus/usb/devices/$dev
read -r manufacturer <"$sysdev/manufacturer"
read -r product <"$sysdev/product"
read -r speed <"$sysdev/speed"
echo "MTKVM: 0e8d:2000 is USB device $dev ($manufacturer / $product, $speed Mb/s)"

# cdc_acm binds the CDC-ACM pair (communication interface 02/02/01 plus its data interface) as
# it would on a real phone, and makes a tty under the communication interface. (0e8d:2000 is in
# cdc_acm's own device table, so it also tries the other interfaces: the kernel's "Zero length
# descriptor references" lines for them are expected.)
acm_intf=""
for d in "$sysdev/$dev":1.*; do
  read -r cls <"$d/bInterfaceClass"
  [ "$cls" = 02 ] && acm_intf=${d##*/}
done
[ -n "$acm_intf" ] || fail "$dev has no CDC communication interface (class 02)"
acm_bound() { [ -e "/sys/bus/usb/drivers/cdc_acm/$acm_intf" ]; }
tty=""
i=0
while [ $i -lt 1000 ]; do
  if acm_bound; then
    for t in "$sysdev/$acm_intf"/tty/ttyACM*; do
      [ -e "$t" ] && tty=${t##*/}
    done
  fi
  [ -n "$tty" ] && break
  sleep 0.005
  i=$((i + 1))
done
t3=$(now_ms)
acm_bound || fail "cdc_acm did not bind $acm_intf (the CDC-ACM interface of $dev)"
[ -n "$tty" ] && [ -c "/dev/$tty" ] || fail "cdc_acm bound $acm_intf but no /dev/ttyACM* appeared"
bound=""
for b in /sys/bus/usb/drivers/cdc_acm/"$dev":*; do bound="$bound ${b##*/}"; done
echo "MTKVM: cdc_acm bound$bound; the port is /dev/$tty"
[ -x /usr/bin/lsusb ] && lsusb -d 0e8d:
echo "MTKVM-FIGURE attach_command_ms=$((t1 - t0))"
echo "MTKVM-FIGURE attach_to_configured_ms=$((t2 - t0))"
echo "MTKVM-FIGURE attach_to_cdc_acm_ms=$((t3 - t0))"

# The test program opens the device through libusb (detaching cdc_acm as real tools must).
t4=$(now_ms)
/opt/mtkvm/test-program --gtest_filter="$filter" --gtest_color=no >/tmp/test.log 2>&1
rc=$?
t5=$(now_ms)
cat /tmp/test.log
echo "MTKVM-FIGURE tests_ms=$((t5 - t4))"
passed=$(grep -c '^\[       OK \]' /tmp/test.log)
skipped=$(grep -c '^\[  SKIPPED \] .* ms)$' /tmp/test.log)
[ $rc -eq 0 ] || fail "the test program exited with status $rc"
[ "$skipped" -eq 0 ] || fail "$skipped test(s) SKIPPED: the program did not see the device through libusb"
[ "$passed" -ge "$min_passed" ] || fail "only $passed test(s) passed, $min_passed expected"
echo "MTKVM: $passed tests passed through libusb"
large=$(sed -n 's/^\[       OK \] .*LargeTransferComesBackByteExact.* (\([0-9]*\) ms)$/\1/p' /tmp/test.log)
[ -n "$large" ] && echo "MTKVM-FIGURE large_echo_3MiB_ms=$large"

# Closing the libusb handle gives the port back to cdc_acm.
sleep 0.2
if acm_bound; then
  echo "MTKVM: cdc_acm bound $acm_intf again after the tests"
else
  fail "cdc_acm is not bound to $acm_intf after the tests: libusb did not give the port back"
fi

# Throughput: the 3 MiB echo again, echo_repeat times (5: 15 MiB out and 15 MiB back).
if [ "$echo_repeat" -gt 0 ]; then
  t6=$(now_ms)
  /opt/mtkvm/test-program --gtest_filter='*LargeTransferComesBackByteExact/libusb' \
    --gtest_repeat="$echo_repeat" --gtest_color=no >/tmp/echo.log 2>&1
  rc=$?
  t7=$(now_ms)
  ok=$(grep -c '^\[       OK \]' /tmp/echo.log)
  if [ $rc -ne 0 ] || [ "$ok" -ne "$echo_repeat" ]; then
    cat /tmp/echo.log
    fail "the repeated large echo failed ($ok of $echo_repeat passed)"
  fi
  sum=0
  for ms in $(sed -n 's/^\[       OK \] .* (\([0-9]*\) ms)$/\1/p' /tmp/echo.log); do
    sum=$((sum + ms))
  done
  # Each repetition writes 3 MiB + 7 bytes and reads them back (gtest's time includes opening
  # and closing the device): the echoed data per second, and twice that crossed vhci.
  echo "MTKVM-FIGURE echo_MiB=$((echo_repeat * 3))"
  echo "MTKVM-FIGURE echo_tests_ms=$sum"
  echo "MTKVM-FIGURE echo_process_ms=$((t7 - t6))"
  if [ "$sum" -gt 0 ]; then
    echo "MTKVM-FIGURE echo_KiB_per_s=$((echo_repeat * 3 * 1024 * 1000 / sum))"
    echo "MTKVM-FIGURE vhci_KiB_per_s_both_directions=$((echo_repeat * 6 * 1024 * 1000 / sum))"
  fi
fi

usbip detach -p 0 >/dev/null 2>&1 || echo "MTKVM: note: usbip detach -p 0 failed"
result 0
