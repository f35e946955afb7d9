#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install what is needed, build, start a virtual
# MT6765 exported over USB/IP on 127.0.0.1, see it with Linux's own `usbip` tool, let its
# preloader window pass, then catch it with the flasher the way a person does (flasher first,
# then the cable) and identify it through the BROM/preloader protocol.
# (Flashing firmware arrives with the DA and operations issues; this script grows with them.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
bash ci/build.sh release
bin=build/release
work=$(mktemp -d)
trap 'kill $emu 2>/dev/null || true; wait $emu 2>/dev/null || true; rm -rf "$work"' EXIT

cat >"$work/phone.yaml" <<'YAML'
phones:
  - kind: phone              # a virtual MT6765 in its preloader, like a phone plugged in powered off
    chip: MT6765
    preloader_window_ms: 2000  # it listens 2 s, then boots on (leaves USB) as real ones do
YAML
"$bin/emulator/cli/mtkemu" --config "$work/phone.yaml" --port 0 >"$work/emu.log" 2>&1 &
emu=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/^mtkemu: listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$work/emu.log")
  [[ -n $port ]] && break
  sleep 0.05
done
[[ -n $port ]] || { cat "$work/emu.log"; exit 1; }
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

echo "== demo finished: the flasher caught the preloader inside its window and identified the phone"
