#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install what is needed, build, start a virtual
# MT6765 exported over USB/IP on 127.0.0.1, see it with Linux's own `usbip` tool, let its
# preloader window pass, then catch it with the flasher the way a person does (flasher first,
# then the cable) and identify it through the BROM/preloader protocol.
# Then it loads a DA, prints the partition table, writes a boot image, reads it back and
# verifies it. (Scatter-file operations such as Format All + Download come with the operations
# issue; this script grows with them.)
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

echo "== the flasher loads a Download Agent (a test DA of our own bytes) and reads the partition table:"
"$bin/flasher/tools/mtk-make-test-da" -o "$work/da.bin" --chip MT6765 | head -1
"$bin/flasher/cli/mtkflash" printgpt --device "usbip://127.0.0.1:$port/1-1" --da "$work/da.bin"

echo "== it writes a sample boot image, reads it back and verifies it:"
head -c $((12 * 1024 * 1024)) /dev/urandom >"$work/boot.img"
"$bin/flasher/cli/mtkflash" write --device "usbip://127.0.0.1:$port/1-1" --da "$work/da.bin" \
  --partition boot -i "$work/boot.img"
"$bin/flasher/cli/mtkflash" read --device "usbip://127.0.0.1:$port/1-1" --da "$work/da.bin" \
  --partition boot -o "$work/boot.back"
cmp -n $((12 * 1024 * 1024)) "$work/boot.img" "$work/boot.back"
echo "   verified: the 12 MiB read back from the virtual phone equal the image"

echo "== demo finished: preloader caught in its window, phone identified, DA loaded, boot flashed and verified"
