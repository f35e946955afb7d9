#!/usr/bin/env bash
# Linux's own `usbip list -r` (Debian package usbip) must list every virtual phone of mtkemu
# with its busid and VID:PID. Exits 77 (skipped) when the usbip tool is not installed.
set -euo pipefail
mtkemu=$1
source "$(dirname "$0")/../../ci/lib/mtkemu.sh"
usbip=$(command -v usbip || echo /usr/sbin/usbip)
if [[ ! -x $usbip ]]; then
  echo "SKIP: Linux's usbip tool is not installed (apt-get install usbip)"
  exit 77
fi
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
cat >"$dir/phones.yaml" <<'YAML'
phones:
  - kind: echo
    pid: 0x0003
    speed: full
  - kind: echo
    pid: 0x2000
    count: 2
YAML
mtkemu_start "$mtkemu" "$dir/phones.yaml" "$dir/out"
pid=$MTKEMU_PID
port=$MTKEMU_PORT
"$usbip" --tcp-port "$port" list -r 127.0.0.1 >"$dir/list" 2>&1
cat "$dir/list"
fail=0
for want in "1-1:.*(0e8d:0003)" "1-2:.*(0e8d:2000)" "1-3:.*(0e8d:2000)"; do
  grep -q "$want" "$dir/list" || { echo "FAIL: usbip list does not show $want"; fail=1; }
done
# The interface lines carry the CDC classes: data (0a/00/00) and communication (02/02/01).
grep -q "0a/00/00" "$dir/list" || { echo "FAIL: no CDC data interface listed"; fail=1; }
grep -q "02/02/01" "$dir/list" || { echo "FAIL: no CDC ACM interface listed"; fail=1; }
# The parsable form too.
"$usbip" --tcp-port "$port" list -p -r 127.0.0.1 >/dev/null 2>&1 || true
kill -TERM $pid
wait $pid || { echo "FAIL: mtkemu did not stop cleanly on SIGTERM"; fail=1; }
grep -q "stopping (SIGTERM)" "$dir/out" || { echo "FAIL: no stop message"; fail=1; }
[[ $fail == 0 ]] && echo "usbip list shows all 3 virtual phones"
exit $fail
