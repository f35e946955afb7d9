#!/usr/bin/env bash
# The VM test (the kernel path): a virtual phone exported by mtkemu on the host is attached in a
# small Linux guest with Linux's own `usbip attach`, and the guest's test program opens it
# through libusb.
#
#   ci/vm/run.sh --mtkemu PATH --program PATH [--work DIR] [--cache DIR]
#                [--filter GTEST_FILTER] [--min-passed N] [--echo-repeat N]
#                [--mtkflash PATH --make-test-da PATH [--make-test-firmware PATH]]
#
# Starts mtkemu on 127.0.0.1 with an echo test device (busid 1-1) and, with --mtkflash, a
# virtual MT6765 phone in BROM mode (busid 1-2, full speed, 8 GiB eMMC: sparse files on the
# host, so it costs only what is written) whose DA switches to high speed (it re-enumerates as
# 0e8d:2001). With --mtkflash the guest also flashes that phone through libusb with the real
# mtkflash: a TEST DA and preloader (mtk-make-test-da) and a 16 MiB random image go into the
# initramfs. With --make-test-firmware a small SAMPLE firmware (scatter, test preloader, raw and
# Android sparse images, ~27 MiB of data; its layout needs a user area of ~4 GiB) goes in too,
# and the guest then runs Format All + Download with verification, reads every image back
# (download --skip-unchanged) and compares boot with cmp. Prepares the guest
# (ci/vm/prepare.sh), boots it under qemu-system-x86_64 (software emulation; user-mode
# networking, where the guest reaches the host's loopback as 10.0.2.2), and exits with the
# status the guest reports on its serial console (ci/vm/init.sh). Exits 77 (skipped, with a message saying why) when qemu, the kernel
# image or another VM prerequisite is not available; MTK_VM_REQUIRED=1 turns that into a failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mtkemu=""
program=""
work=""
cache=${MTK_VM_CACHE:-$root/build/vm}
filter='*libusb*'
min_passed=7
echo_repeat=${MTK_VM_ECHO_REPEAT:-5}
mtkflash=""
make_test_da=""
make_test_firmware=""
flash_mib=16
guest_timeout=${MTK_VM_TIMEOUT:-240}
while (($#)); do
  case $1 in
    --mtkemu) mtkemu=$2; shift 2 ;;
    --program) program=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    --min-passed) min_passed=$2; shift 2 ;;
    --echo-repeat) echo_repeat=$2; shift 2 ;;
    --mtkflash) mtkflash=$2; shift 2 ;;
    --make-test-da) make_test_da=$2; shift 2 ;;
    --make-test-firmware) make_test_firmware=$2; shift 2 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x $mtkemu && -x $program ]] || {
  echo "usage: run.sh --mtkemu PATH --program PATH [--work DIR] (both must be built)" >&2
  exit 2
}
if [[ -n $mtkflash || -n $make_test_da ]] && [[ ! -x $mtkflash || ! -x $make_test_da ]]; then
  echo "run.sh: --mtkflash and --make-test-da go together (both must be built)" >&2
  exit 2
fi
if [[ -n $make_test_firmware ]] && [[ -z $mtkflash || ! -x $make_test_firmware ]]; then
  echo "run.sh: --make-test-firmware needs --mtkflash (and must be built)" >&2
  exit 2
fi

skip() {
  if [[ ${MTK_VM_REQUIRED:-0} == 1 ]]; then
    echo "FAIL (MTK_VM_REQUIRED=1): $*"
    exit 1
  fi
  echo "SKIP: $*"
  exit 77
}

qemu=$(command -v qemu-system-x86_64 || true)
[[ -n $qemu ]] || skip "qemu-system-x86_64 is not installed (MTK_WITH_VM=1 ci/install-deps.sh, or apt-get install qemu-system-x86)"

start_all=$(date +%s%N)
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# The kernel (cached after the first run) and the initramfs with the current test program.
rc=0
bash "$here/prepare.sh" packages --cache "$cache" 2>&1 || rc=$?
if ((rc == 77)); then skip "the guest's kernel image (or udev) is not available from Debian's archive (see above)"; fi
((rc == 0)) || { echo "FAIL: preparing the guest's kernel and udevd failed"; exit 1; }
[[ -n $work ]] || work=$cache/work
mkdir -p "$work"
# The flash test's inputs: a TEST DA and a TEST preloader (its EMI settings; a DA started from
# BROM needs them) of our own bytes, and a random image.
extra=()
flash=0
firmware=0
if [[ -n $mtkflash ]]; then
  flash=1
  fdir=$work/flash
  rm -rf "$fdir"
  mkdir -p "$fdir"
  "$make_test_da" -o "$fdir/da.bin" --chip MT6765 --test-preloader "$fdir/preloader.bin" \
    >"$fdir/make-test-da.log" 2>&1 || { cat "$fdir/make-test-da.log"; echo "FAIL: mtk-make-test-da failed"; exit 1; }
  head -c $((flash_mib << 20)) /dev/urandom >"$fdir/img.bin"
  extra=(--add-program "$mtkflash:/opt/mtkvm/mtkflash"
         --add-file "$fdir/da.bin:/opt/mtkvm/flash/da.bin"
         --add-file "$fdir/preloader.bin:/opt/mtkvm/flash/preloader.bin"
         --add-file "$fdir/img.bin:/opt/mtkvm/flash/img.bin")
fi
# The firmware of the Format All + Download step: small sizes, so that the guest's part stays a
# few seconds under software emulation (vendor 12 MiB of data, system 4 of 16 MiB, userdata
# 4 MiB, boot and recovery 1 MiB each, lk, logo, preloader).
if [[ -n $make_test_firmware ]]; then
  firmware=1
  "$make_test_firmware" -o "$fdir/fw" --system-data 4M --system-size 16M --boot-size 1M \
    >"$fdir/make-test-firmware.log" 2>&1 ||
    { cat "$fdir/make-test-firmware.log"; echo "FAIL: mtk-make-test-firmware failed"; exit 1; }
  [[ -f $fdir/fw/MT6765_Android_scatter.txt && -f $fdir/fw/boot.img ]] ||
    { ls -l "$fdir/fw"; echo "FAIL: mtk-make-test-firmware wrote no MT6765 scatter and boot.img"; exit 1; }
  for f in "$fdir"/fw/*; do
    extra+=(--add-file "$f:/opt/mtkvm/fw/${f##*/}")
  done
fi

rc=0
bash "$here/prepare.sh" initramfs --cache "$cache" --program "$program" --out "$work/initramfs.cpio" \
  ${extra[@]+"${extra[@]}"} 2>&1 || rc=$?
if ((rc == 77)); then skip "a tool the guest needs is not installed (see above)"; fi
((rc == 0)) || { echo "FAIL: building the initramfs failed"; exit 1; }
echo "run.sh: guest prepared in $(ms_since "$start_all") ms (kernel $(cat "$cache/kernel/kver"))"

emu_log=$work/mtkemu.log
serial_log=$work/serial.log
emu=""
cleanup() {
  if [[ -n $emu ]]; then
    kill -TERM "$emu" 2>/dev/null || true
    wait "$emu" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# busid 1-1: the echo test device; 1-2: the phone (BROM: 0e8d:0003 at full speed until its DA
# switches to high speed and re-enumerates as 0e8d:2001, under the same busid).
emu_config=$work/mtkemu.yaml
{
  echo "phones:"
  echo "  - kind: echo"
  if ((flash)); then
    echo "  - {kind: phone, chip: MT6765, boot: brom, usb_speed_switch: true, preloader_window_ms: 0,"
    # 8 GiB: the sample firmware's layout ends ~4 GiB in (userdata takes the rest). The eMMC's
    # areas are sparse files, and Format All's erase punches holes: nothing is paid for the size.
    echo "     storage: {type: emmc, user_size: 8G}}"
  fi
} >"$emu_config"
"$mtkemu" --config "$emu_config" --port 0 >"$emu_log" 2>&1 &
emu=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/^mtkemu: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$emu_log")
  [[ -n $port ]] && break
  sleep 0.05
done
[[ -n $port ]] || { echo "FAIL: mtkemu did not start:"; cat "$emu_log"; exit 1; }
echo "run.sh: mtkemu listening on 127.0.0.1:$port (the guest's 10.0.2.2:$port)"

cmdline="console=ttyS0 quiet loglevel=4 panic=-1 mtkvm.port=$port"
cmdline+=" mtkvm.min_passed=$min_passed mtkvm.echo_repeat=$echo_repeat mtkvm.filter=$filter"
cmdline+=" mtkvm.flash=$flash mtkvm.flash_mib=$flash_mib mtkvm.firmware=$firmware"
qemu_args=(
  -machine q35,accel=tcg -cpu max -smp 1 -m 1024
  -nodefaults -display none -no-reboot -serial stdio -monitor none
  -kernel "$cache/kernel/vmlinux" -initrd "$work/initramfs.cpio" -append "$cmdline"
  -netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile=
)

# Every console line is printed with the host's time since qemu started.
status=""
boot_ms=""
qemu_start=$(date +%s%N)
: >"$serial_log"
while IFS= read -r line; do
  line=${line%$'\r'}
  t=$(ms_since "$qemu_start")
  printf '[%6d ms] %s\n' "$t" "$line" | tee -a "$serial_log"
  case $line in
    "MTKVM: /init started"*) [[ -n $boot_ms ]] || boot_ms=$t ;;
    "MTKVM-RESULT status="*) status=${line#MTKVM-RESULT status=} ;;
  esac
done < <(timeout --kill-after=5 "$guest_timeout" "$qemu" "${qemu_args[@]}" </dev/null 2>&1)
total_ms=$(ms_since "$qemu_start")

echo "== mtkemu's log"
cat "$emu_log"
echo "== figures (software emulation, 1 vCPU)"
echo "boot: ${boot_ms:-?} ms from qemu start to the guest's /init (host clock)"
sed -n 's/^\[ *[0-9]* ms\] MTKVM-FIGURE /  /p' "$serial_log"
echo "whole guest run: $total_ms ms; with preparation: $(ms_since "$start_all") ms"

if [[ -z $status ]]; then
  echo "FAIL: the guest ended without a result line (timeout ${guest_timeout}s, crash or panic; see its console above)"
  exit 1
fi
if [[ ! $status =~ ^[0-9]+$ ]]; then
  echo "FAIL: unreadable result line: $status"
  exit 1
fi
# 77 would read as "skipped": the guest ran, so anything but 0 is a failure.
if ((status == 77)); then status=1; fi
if ((status != 0)); then
  # The guest's reason, repeated where the eye lands (its step's log is above it).
  why=$(sed -n 's/^\[ *[0-9]* ms\] MTKVM: FAIL: //p' "$serial_log" | tail -n 1)
  echo "FAIL: the guest reported status $status${why:+: $why}"
fi
if ((status == 0)); then
  echo "PASS: the virtual phone was attached with usbip, bound by cdc_acm and opened through libusb"
  if ((flash)); then
    echo "PASS: mtkflash flashed and read back ${flash_mib} MiB through vhci-hcd and followed the phone's re-enumeration"
  fi
  if ((firmware)); then
    echo "PASS: mtkflash ran Format All + Download of a sample firmware through vhci-hcd, verified it and read every image back"
  fi
fi
exit "$status"
