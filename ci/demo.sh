#!/usr/bin/env bash
# The main job, end to end on a fresh machine: install what is needed, build, start a virtual
# phone exported over USB/IP on 127.0.0.1, see it with Linux's own `usbip` tool, and open it
# with the flasher through its USB/IP client.
# (Flashing firmware onto the virtual phone arrives with the BROM/DA issues; this script grows
# with them.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
bash ci/build.sh release
bin=build/release
work=$(mktemp -d)
trap 'kill $emu 2>/dev/null || true; wait $emu 2>/dev/null || true; rm -rf "$work"' EXIT

cat >"$work/phone.yaml" <<'YAML'
phones:
  - kind: echo      # the USB test device; MediaTek phone models come with the BROM issue
    vid: 0x0e8d
    pid: 0x2000
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

echo "== Linux's usbip tool sees the virtual phone:"
usbip --tcp-port "$port" list -r 127.0.0.1

echo "== the flasher opens it over USB/IP:"
"$bin/flasher/cli/mtkflash" probe --device "usbip://127.0.0.1:$port/1-1" --timeout 5000

echo "== demo finished"
