#!/bin/sh
# /init of the VM test's guest (busybox sh; copied into the initramfs by ci/vm/prepare.sh).
#
# Loads the USB/IP client (vhci-hcd) and cdc_acm, brings up user-mode networking, attaches the
# virtual phone that mtkemu exports on the host (`usbip attach`, host = 10.0.2.2), checks that it
# enumerates as 0e8d:2000 and that cdc_acm binds it as it would a real phone, runs the test
# program (which opens it through libusb); with mtkvm.flash=1 it then attaches the virtual
# phone in BROM mode and flashes it with the real mtkflash through libusb (connect, DA, the
# switch to high speed with its re-enumeration, write, read back, compare); with
# mtkvm.firmware=1 it then flashes the sample firmware in /opt/mtkvm/fw on that phone
# (`mtkflash format-download --verify`: Format All + Download, every image read back and its
# SHA-256 compared), checks it by reading back again (`mtkflash download --skip-unchanged` must
# find all 9 images unchanged) and compares boot read with `mtkflash readback` with boot.img
# (cmp); and it ends with one line the host script reads:
#   MTKVM-RESULT status=N
# Figures are printed as "MTKVM-FIGURE name=value" lines. A failure prints the step that failed
# and what mtkflash said. Parameters come from the kernel command line: mtkvm.port (mtkemu's
# TCP port), mtkvm.busid (default 1-1), mtkvm.min_passed (default 7), mtkvm.echo_repeat
# (default 5), mtkvm.filter (gtest filter), mtkvm.flash (1: also flash the virtual phone at
# mtkvm.phone_busid, default 1-2, with mtkflash; mtkvm.flash_mib is the image size in MiB),
# mtkvm.firmware (1, with mtkvm.flash=1: also Format All + Download of the sample firmware).
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

reattach_pid=""
fail() {
  # The flash steps' re-attach loop (below) is stopped first; its log says what it did.
  [ -n "$reattach_pid" ] && stop_reattach
  echo "MTKVM: FAIL: $*"
  result 1
}

port=3240
busid=1-1
min_passed=7
echo_repeat=5
filter='*libusb*'
flash=0
flash_mib=16
firmware=0
phone_busid=1-2
set -f  # the gtest filter has * in it
for arg in $(cat /proc/cmdline); do
  case $arg in
    mtkvm.port=*) port=${arg#*=} ;;
    mtkvm.busid=*) busid=${arg#*=} ;;
    mtkvm.min_passed=*) min_passed=${arg#*=} ;;
    mtkvm.echo_repeat=*) echo_repeat=${arg#*=} ;;
    mtkvm.filter=*) filter=${arg#*=} ;;
    mtkvm.flash=*) flash=${arg#*=} ;;
    mtkvm.flash_mib=*) flash_mib=${arg#*=} ;;
    mtkvm.firmware=*) firmware=${arg#*=} ;;
    mtkvm.phone_busid=*) phone_busid=${arg#*=} ;;
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
[ "$flash" = 1 ] || result 0

# --- Flashing a virtual phone through the kernel with the real mtkflash ---
#
# The phone (busid $phone_busid) powers on in BROM mode: 0e8d:0003 at full speed. mtkflash
# detaches cdc_acm, uploads the DA, and the DA switches to high speed: the phone re-enumerates
# as 0e8d:2001 and mtkflash follows it, as it must on a real cable. Later mtkflash runs find
# the DA still running and carry on with it.

# vhci-hcd's ports: "hub port sta spd dev sockfd local_busid" lines; sta 004 (VDEV_ST_NULL) is
# a free port, 006 an attached one, 005/007 one being set up or torn down.
vhci_status=/sys/devices/platform/vhci_hcd.0/status
vhci_busy() {
  while read -r _ _ sta _; do
    case $sta in 004 | sta) ;; *) return 0 ;; esac
  done <"$vhci_status"
  return 1
}
# Waits (builtins only) up to 5 s for every vhci port to be free again.
i=0
while vhci_busy && [ $i -lt 1000 ]; do
  sleep 0.005
  i=$((i + 1))
done
vhci_busy && { cat "$vhci_status"; fail "the echo device's vhci port was not freed by usbip detach"; }

# Waits up to $2 x 5 ms for a configured USB device $1 (vid:pid); sets dev.
wait_configured() {
  dev=""
  i=0
  while [ $i -lt "$2" ]; do
    for d in /sys/bus/usb/devices/*; do
      [ -f "$d/idVendor" ] || continue
      read -r v <"$d/idVendor"
      read -r p <"$d/idProduct"
      c=""
      read -r c <"$d/bConfigurationValue" 2>/dev/null
      [ "$v:$p:$c" = "$1:1" ] && dev=${d##*/}
    done
    [ -n "$dev" ] && return 0
    sleep 0.005
    i=$((i + 1))
  done
  return 1
}

t0=$(now_ms)
usbip --tcp-port "$port" attach -r 10.0.2.2 -b "$phone_busid" ||
  fail "usbip attach -r 10.0.2.2 -b $phone_busid (the phone)"
wait_configured 0e8d:0003 1000 || { ls -l /sys/bus/usb/devices/; fail "the phone (0e8d:0003) did not appear within 5 s of the attach"; }
t1=$(now_ms)
read -r speed <"/sys/bus/usb/devices/$dev/speed"
echo "MTKVM: the phone in BROM mode is USB device $dev (0e8d:0003, $speed Mb/s)"
echo "MTKVM-FIGURE phone_attach_to_configured_ms=$((t1 - t0))"

# The USB/IP artefact: when the phone re-enumerates, the server closes the connection and
# offers a new device under the same busid, and vhci-hcd does not import it by itself. This
# loop re-attaches the busid whenever no vhci port is in use. A real phone on a real Linux
# host needs nothing of the kind: it re-enumerates on the same cable and the hub sees it.
: >/tmp/reattach.log
(
  while [ ! -e /tmp/reattach.stop ]; do
    if ! vhci_busy; then
      if usbip --tcp-port "$port" attach -r 10.0.2.2 -b "$phone_busid" >/dev/null 2>&1; then
        echo "MTKVM: re-attached $phone_busid at $(now_ms) ms of guest uptime (the phone re-enumerated)" >>/tmp/reattach.log
      fi
    fi
    sleep 0.2
  done
) &
reattach_pid=$!
stop_reattach() {
  : >/tmp/reattach.stop
  wait "$reattach_pid" 2>/dev/null
  reattach_pid=""
  cat /tmp/reattach.log
}

flashdir=/opt/mtkvm/flash
mtkflash() {
  /opt/mtkvm/mtkflash "$@" --device usb --timeout 30000 \
    --da "$flashdir/da.bin" --preloader "$flashdir/preloader.bin"
}
image_bytes=$((flash_mib * 1048576))

# 1. Connect (BROM handshake, DA1, DRAM, DA2, the switch to high speed) and print the GPT.
t2=$(now_ms)
mtkflash printgpt >/tmp/flash1.log 2>&1
rc=$?
t3=$(now_ms)
cat /tmp/flash1.log
[ $rc -eq 0 ] || fail "mtkflash printgpt exited with status $rc"
echo "MTKVM-FIGURE flash_connect_da_switch_printgpt_ms=$((t3 - t2))"
grep -q 'switching the DA to high speed; the phone re-enumerates as 0e8d:2001' /tmp/flash1.log ||
  fail "mtkflash did not switch the DA to high speed"
grep -q 'reconnected at high speed at usb:' /tmp/flash1.log ||
  fail "mtkflash did not report the phone back at high speed through libusb"
wait_configured 0e8d:2001 200 || fail "no configured 0e8d:2001 device after the switch"
read -r speed <"/sys/bus/usb/devices/$dev/speed"
echo "MTKVM: after the switch the phone is USB device $dev (0e8d:2001, $speed Mb/s)"
[ "$speed" = 480 ] || fail "the DA's port runs at $speed Mb/s, not high speed"
# The boot partition (32 MiB in mtkemu's default layout for the phone's 8 GiB user area) holds
# the image.
part=boot
grep -q "^  $part " /tmp/flash1.log || fail "no partition '$part' in the GPT"

# 2. Write the image (the DA left running by step 1 is resumed).
t4=$(now_ms)
mtkflash write --partition "$part" -i "$flashdir/img.bin" >/tmp/flash2.log 2>&1
rc=$?
t5=$(now_ms)
cat /tmp/flash2.log
[ $rc -eq 0 ] || fail "mtkflash write exited with status $rc"
grep -q 'a DA is already running' /tmp/flash2.log || fail "mtkflash write did not resume the running DA"

# 3. Read the partition back (all of it: --length does not apply to --partition) and compare.
t6=$(now_ms)
mtkflash read --partition "$part" -o /tmp/back.bin >/tmp/flash3.log 2>&1
rc=$?
t7=$(now_ms)
cat /tmp/flash3.log
[ $rc -eq 0 ] || fail "mtkflash read exited with status $rc"
read_bytes=$(stat -c %s /tmp/back.bin)
[ "$read_bytes" -ge "$image_bytes" ] || fail "mtkflash read only $read_bytes bytes, $image_bytes expected"
# Plain cmp on the image's length: busybox's `cmp -n` prints every differing byte (millions of
# lines on the serial console for a real mismatch) where plain cmp stops at the first.
truncate -s "$image_bytes" /tmp/back.bin
t8=$(now_ms)
cmp "$flashdir/img.bin" /tmp/back.bin || fail "the data read back differs from the image written"
t9=$(now_ms)
echo "MTKVM: the $flash_mib MiB read back through vhci-hcd equal the image written"
echo "MTKVM-FIGURE flash_verify_cmp_ms=$((t9 - t8))"
rm -f /tmp/back.bin

# Process times: each includes starting mtkflash and resuming the DA (a few round trips).
w=$((t5 - t4))
r=$((t7 - t6))
[ $w -gt 0 ] || w=1
[ $r -gt 0 ] || r=1
# MiB/s with one decimal (integer arithmetic: tenths of MiB/s).
tenths() { echo "$(($1 / 10)).$(($1 % 10))"; }
read_mib=$((read_bytes / 1048576))
echo "MTKVM-FIGURE flash_write_MiB=$flash_mib"
echo "MTKVM-FIGURE flash_write_ms=$w"
echo "MTKVM-FIGURE flash_write_MiB_per_s=$(tenths $((flash_mib * 10000 / w)))"
echo "MTKVM-FIGURE flash_read_MiB=$read_mib"
echo "MTKVM-FIGURE flash_read_ms=$r"
echo "MTKVM-FIGURE flash_read_MiB_per_s=$(tenths $((read_mib * 10000 / r)))"

# --- Format All + Download of a sample firmware, read back and verified ---
#
# /opt/mtkvm/fw holds what mtk-make-test-firmware wrote on the host: a scatter for MT6765,
# a TEST preloader, lk/boot/recovery/logo raw images and vendor/system/userdata Android sparse
# images (9 images with the preloader in boot1 and boot2). The DA left running by step 1 is
# resumed by every step.
if [ "$firmware" = 1 ]; then
  fwdir=/opt/mtkvm/fw
  scatter=$fwdir/MT6765_Android_scatter.txt
  [ -f "$scatter" ] && [ -f "$fwdir/boot.img" ] || fail "no sample firmware in $fwdir"

  # Fails naming step $1 with message $2, after the last lines of the step's log.
  step_fail() {
    echo "MTKVM: step '$1' failed; the last lines of its log (/tmp/$1.log):"
    tail -n 30 "/tmp/$1.log"
    fail "step '$1': $2"
  }
  # Runs mtkflash with the arguments after $1 (the step's name) and prints its log; a non-zero
  # exit fails the step. Sets step_ms.
  fw_step() {
    step=$1
    shift
    ts=$(now_ms)
    mtkflash "$@" >"/tmp/$step.log" 2>&1
    rc=$?
    step_ms=$(($(now_ms) - ts))
    [ $rc -eq 0 ] || step_fail "$step" "mtkflash $1 exited with status $rc"
    cat "/tmp/$step.log"
    [ $step_ms -gt 0 ] || step_ms=1
  }

  # 4. Format All + Download with verification: erase everything but RPMB (boot1, boot2, the
  # user area), write the scatter's table as the GPT, write the 9 images, and read every one
  # back and compare its SHA-256. --include-protected all: the phone still has mtkemu's default
  # GPT, whose proinfo, nvram, protect1/2, nvdata... sit at other offsets than in the sample
  # scatter, so Format All + Download would lose their contents, and mtkflash refuses that
  # (ERROR_DATA_LOST 8504: "use upgrade, or accept the loss with --include-protected") as it
  # must for a real phone's calibration data. This virtual phone has none worth keeping: the
  # loss is accepted.
  fw_step format-download format-download --scatter "$scatter" --verify --include-protected all
  fd_ms=$step_ms
  grep -q 'a DA is already running' /tmp/format-download.log ||
    step_fail format-download "mtkflash did not resume the running DA"
  summary=$(grep 'Format All + Download done:' /tmp/format-download.log)
  case $summary in
    *"done: 9 image(s) written "*", 9 verified"*) ;;
    *) step_fail format-download "no summary 'Format All + Download done: 9 image(s) written ..., 9 verified'" ;;
  esac
  # The image data mtkflash wrote, in tenths of MiB, from its summary ("written (26.8 MiB)");
  # the image files' sizes if it says something else.
  mib=$(echo "$summary" | sed -n 's/.* written (\([0-9.]*\) MiB).*/\1/p')
  case $mib in
    "") data_tenths=0
        for f in "$fwdir"/*; do
          case $f in *.txt) ;; *) data_tenths=$((data_tenths + $(stat -c %s "$f"))) ;; esac
        done
        data_tenths=$((data_tenths * 10 / 1048576)) ;;
    *.*) frac=${mib#*.}
         data_tenths=$((${mib%%.*} * 10 + ${frac%"${frac#?}"})) ;;
    *) data_tenths=$((mib * 10)) ;;
  esac
  # The process time: starting mtkflash, resuming the DA, erasing, the table, writing the
  # images and reading them all back for the verification.
  echo "MTKVM-FIGURE firmware_image_MiB=$(tenths "$data_tenths")"
  echo "MTKVM-FIGURE firmware_format_download_verify_ms=$fd_ms"
  echo "MTKVM-FIGURE firmware_format_download_verify_MiB_per_s=$(tenths $((data_tenths * 1000 / fd_ms)))"

  # 5. Read every image back once more and compare (SHA-256) with the firmware: nothing written.
  fw_step download-unchanged download --scatter "$scatter" --skip-unchanged
  grep -q 'Download Only done: 9 unchanged' /tmp/download-unchanged.log ||
    step_fail download-unchanged "not all 9 images read back equal to the firmware's ('Download Only done: 9 unchanged' expected)"
  echo "MTKVM-FIGURE firmware_readback_compare_ms=$step_ms"
  echo "MTKVM-FIGURE firmware_readback_compare_MiB_per_s=$(tenths $((data_tenths * 1000 / step_ms)))"

  # 6. boot to a file with readback, compared with boot.img by cmp (the partition is larger than
  # the image: the first size-of-boot.img bytes).
  fw_step readback-boot readback -p boot -o /tmp/boot.back
  boot_bytes=$(stat -c %s "$fwdir/boot.img")
  back_bytes=$(stat -c %s /tmp/boot.back 2>/dev/null || echo 0)
  [ "$back_bytes" -ge "$boot_bytes" ] ||
    step_fail readback-boot "read only $back_bytes bytes of boot, $boot_bytes expected"
  echo "MTKVM-FIGURE firmware_readback_boot_MiB=$((back_bytes / 1048576))"
  echo "MTKVM-FIGURE firmware_readback_boot_ms=$step_ms"
  truncate -s "$boot_bytes" /tmp/boot.back
  cmp "$fwdir/boot.img" /tmp/boot.back ||
    step_fail readback-boot "boot read back differs from the firmware's boot.img"
  rm -f /tmp/boot.back
  echo "MTKVM: Format All + Download of $(tenths "$data_tenths") MiB took $fd_ms ms with verification; all 9 images read back equal, and boot equals boot.img (cmp)"
fi

stop_reattach
while read -r _ p sta _; do
  [ "$sta" = 006 ] || continue
  p=${p#"${p%%[!0]*}"}
  usbip detach -p "${p:-0}" >/dev/null 2>&1 || echo "MTKVM: note: usbip detach -p ${p:-0} failed"
done <"$vhci_status"
result 0
