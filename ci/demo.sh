#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install what is needed, build, start a virtual
# MT6765 (64 GiB eMMC, blank: no partition table, as after a failed flash) exported over USB/IP
# on 127.0.0.1, see it with Linux's own `usbip` tool, let its preloader window pass, then catch
# it with the flasher the way a person does (flasher first, then the cable) and identify it.
# Then, with a sample firmware (scatter, test preloader, raw and Android sparse images, test DA;
# made if absent): Format All + Download with verification through the USB/IP client transport,
# a read-back comparison of every image, a boot image read back and compared with cmp, a
# summary, and the emulator stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
bash ci/build.sh release
bin=build/release
source ci/lib/mtkemu.sh
work=$(mktemp -d)
trap 'kill $emu 2>/dev/null || true; wait $emu 2>/dev/null || true; rm -rf "$work"' EXIT

cat >"$work/phone.yaml" <<'YAML'
phones:
  - kind: phone              # a virtual MT6765 in its preloader, like a phone plugged in powered off
    chip: MT6765
    preloader_window_ms: 2000  # it listens 2 s, then boots on (leaves USB) as real ones do
    storage: {type: emmc, user_size: 64G}   # sparse files: costs only what is written
    partition_table: none      # blank: Format All + Download writes the table from the scatter
YAML
mtkemu_start "$bin/emulator/cli/mtkemu" "$work/phone.yaml" "$work/emu.log"
emu=$MTKEMU_PID
port=$MTKEMU_PORT
cat "$work/emu.log"

echo "== Linux's usbip tool sees the virtual phone (its preloader port, 0e8d:2000):"
usbip --tcp-port "$port" list -r 127.0.0.1

echo "== waiting 2.5 s: the preloader's window passes and the phone boots on, as a real one would"
sleep 2.5
usbip --tcp-port "$port" list -r 127.0.0.1 2>&1 | grep -q "0e8d:2000" && { echo "phone still there?"; exit 1; }
echo "   (gone from USB)"

echo "== the flasher waits first; then the cable is plugged in again (SIGUSR1 to mtkemu):"
"$bin/flasher/cli/mtkflash" identify --device "usbip://127.0.0.1:$port/1-1" --timeout 10000 &
flasher=$!
sleep 0.5
kill -USR1 "$emu"
wait "$flasher"

fw=build/demo-firmware
if [[ ! -f $fw/MT6765_Android_scatter.txt ]]; then
  echo "== making a sample firmware in $fw (scatter, test preloader, raw and sparse images):"
  "$bin/flasher/tools/mtk-make-test-firmware" -o "$fw"
fi
"$bin/flasher/tools/mtk-make-test-da" -o "$fw/da.bin" --chip MT6765 | head -1
dev="usbip://127.0.0.1:$port/1-1"

echo "== Format All + Download with verification (a test DA of our own bytes; protected partitions kept):"
"$bin/flasher/cli/mtkflash" format-download --device "$dev" --da "$fw/da.bin" \
  --scatter "$fw/MT6765_Android_scatter.txt" --verify

echo "== the phone's new partition table:"
"$bin/flasher/cli/mtkflash" printgpt --device "$dev" --da "$fw/da.bin"

echo "== every image read back and compared with the firmware (nothing needs writing):"
"$bin/flasher/cli/mtkflash" download --device "$dev" --da "$fw/da.bin" \
  --scatter "$fw/MT6765_Android_scatter.txt" --skip-unchanged 2>&1 | tee "$work/check.log" | tail -1
grep -q "9 unchanged" "$work/check.log" || { echo "read-back comparison failed"; exit 1; }

echo "== boot read back to a file and compared with cmp:"
"$bin/flasher/cli/mtkflash" readback --device "$dev" --da "$fw/da.bin" -p boot -o "$work/boot.back" \
  --reboot
cmp -n "$(stat -c %s "$fw/boot.img")" "$fw/boot.img" "$work/boot.back"
echo "   verified: boot.img equals what the virtual phone holds"

mtkemu_stop
echo "== demo finished: preloader caught in its window, phone identified, DA loaded, Format All +"
echo "   Download of a sample firmware (sparse images included) verified, read back and compared,"
echo "   phone rebooted, emulator stopped"
