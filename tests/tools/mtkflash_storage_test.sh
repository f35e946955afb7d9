#!/usr/bin/env bash
# mtkflash's DA commands end to end over USB/IP against mtkemu: printgpt, write, read, erase,
# by partition and by address, with a test DA built by mtk-make-test-da. Checks the data with
# cmp, and that a too-large image is refused before anything is written.
set -euo pipefail
mtkemu=$1 mtkflash=$2 makeda=$3
source "$(dirname "$0")/../../ci/lib/mtkemu.sh"
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
cat >"$dir/phone.yaml" <<YAML
phones:
  - kind: phone
    chip: MT6765
    preloader_window_ms: 0
    storage: {type: emmc, user_size: 512M, directory: $dir/flash}
    partition_table: gpt
YAML
"$makeda" -o "$dir/da.bin" --chip MT6765 >/dev/null
mtkemu_start "$mtkemu" "$dir/phone.yaml" "$dir/emu.log"
pid=$MTKEMU_PID
port=$MTKEMU_PORT
dev="usbip://127.0.0.1:$port/1-1"
flash() { "$mtkflash" "$@" --device "$dev" --da "$dir/da.bin" --timeout 5000; }

flash printgpt >"$dir/gpt.txt" 2>"$dir/log"
cat "$dir/gpt.txt"
grep -q "^GPT, 512-byte sectors" "$dir/gpt.txt" || { echo "FAIL: no GPT listed"; cat "$dir/log"; exit 1; }
grep -q " nvram " "$dir/gpt.txt" || { echo "FAIL: nvram missing"; exit 1; }
flash printgpt --json | tail -1 | grep -q '"kind":"GPT"' || { echo "FAIL: printgpt --json"; exit 1; }

# By partition: write an image smaller than boot, read the whole partition back.
head -c 3000000 /dev/urandom >"$dir/boot.img"
flash write --partition boot -i "$dir/boot.img" 2>"$dir/log" || { cat "$dir/log"; exit 1; }
flash read --partition boot -o "$dir/boot.back" 2>"$dir/log" || { cat "$dir/log"; exit 1; }
cmp -n 3000000 "$dir/boot.img" "$dir/boot.back" || { echo "FAIL: boot read back differs"; exit 1; }
# the padding up to the next block is zeros
pad=$(( (3000000 + 511) / 512 * 512 - 3000000 ))
[[ $(tail -c +3000001 "$dir/boot.back" | head -c $pad | tr -d '\0' | wc -c) == 0 ]] || { echo "FAIL: padding"; exit 1; }

# An image larger than its partition is refused, and nothing is written.
head -c $((16 * 1024 * 1024)) /dev/zero >"$dir/big.img"
if flash write --partition seccfg -i "$dir/big.img" 2>"$dir/log"; then echo "FAIL: oversize accepted"; exit 1; fi
grep -q "IMAGE_TOO_LARGE" "$dir/log" || { cat "$dir/log"; exit 1; }

# By address in boot1, then erase and read zeros.
head -c 8192 /dev/urandom >"$dir/b1.bin"
flash write --area boot1 --offset 0x1000 -i "$dir/b1.bin" 2>/dev/null
flash read --area boot1 --offset 0x1000 --length 8192 -o "$dir/b1.back" 2>/dev/null
cmp "$dir/b1.bin" "$dir/b1.back" || { echo "FAIL: boot1 round trip"; exit 1; }
flash erase --area boot1 --offset 0x1000 --length 8192 2>/dev/null
flash read --area boot1 --offset 0x1000 --length 8192 -o "$dir/b1.zero" 2>/dev/null
cmp "$dir/b1.zero" <(head -c 8192 /dev/zero) || { echo "FAIL: erase"; exit 1; }

# Unknown partition names list what the phone has.
if flash read --partition nosuch -o "$dir/x" 2>"$dir/log"; then echo "FAIL: unknown partition"; exit 1; fi
grep -q "PARTITION_NOT_FOUND" "$dir/log" && grep -q "userdata" "$dir/log" || { cat "$dir/log"; exit 1; }

# The flash is a directory of sparse files: it persists and costs only what was written.
du -sk "$dir/flash" | awk '{ if ($1 > 65536) { print "FAIL: storage not sparse: " $1 " KiB"; exit 1 } }'
# --reboot ends with SHUTDOWN: the phone boots normally and leaves USB.
flash printgpt --reboot >/dev/null 2>"$dir/log" || { cat "$dir/log"; exit 1; }
grep -q "rebooting the phone" "$dir/log" || { echo "FAIL: no reboot"; cat "$dir/log"; exit 1; }
gone=0
for _ in $(seq 100); do
  "$mtkflash" devices --device "usbip://127.0.0.1:$port" | grep -q "1-1" || { gone=1; break; }
  sleep 0.05
done
[[ $gone == 1 ]] || { echo "FAIL: the phone did not leave USB after --reboot"; exit 1; }
echo "mtkflash printgpt/write/read/erase/--reboot over USB/IP: OK"
