#!/usr/bin/env bash
# mtkflash's firmware verbs end to end over USB/IP against mtkemu, as a person runs them: a
# sample firmware (scatter, test preloader, sparse images) made by mtk-make-test-firmware;
# --dry-run without a phone; format-download with --verify, --json and --log; download -p;
# upgrade keeping nvram; readback of a partition and of boot1 with the flashable preloader;
# make-scatter; split; the exit codes of --help; and the errors people hit (missing image,
# upgrade without a table) with their names and numbers.
set -euo pipefail
mtkemu=$1 mtkflash=$2 makeda=$3 makefw=$4
source "$(dirname "$0")/../../ci/lib/mtkemu.sh"
dir=$(mktemp -d)
pid=""
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; [[ -f $dir/log ]] && cat "$dir/log"; exit 1; }
cat >"$dir/phone.yaml" <<YAML
phones:
  - kind: phone
    chip: MT6765
    preloader_window_ms: 0
    storage: {type: emmc, user_size: 4G, directory: $dir/flash}
    partition_table: none     # a blank phone: the unbrick case
YAML
"$makeda" -o "$dir/da.bin" --chip MT6765 >/dev/null
"$makefw" -o "$dir/fw" --system-data 8M --system-size 32M --boot-size 2M >/dev/null
scatter=$dir/fw/MT6765_Android_scatter.txt

# --help documents the exit codes; a bad option is exit 2.
"$mtkflash" --help >"$dir/help.txt"
grep -q "Exit codes: 0 success, 1 the operation failed, 2 bad usage, 3 no device" "$dir/help.txt" ||
  fail "exit codes not in --help"
set +e; "$mtkflash" download --no-such-option >/dev/null 2>&1; rc=$?; set -e
[[ $rc == 2 ]] || fail "bad usage gave $rc"

# Dry run: no phone, a plan, exit 0.
"$mtkflash" format-download -s "$scatter" --dry-run >"$dir/plan.txt" 2>"$dir/log" || fail "dry run"
grep -q "write system .*sparse image" "$dir/plan.txt" || fail "plan lacks the sparse system image"
grep -q "keep nvram" "$dir/log" || fail "plan does not say nvram is kept"
"$mtkflash" upgrade -s "$scatter" --dry-run --json >"$dir/plan.json"
grep -q '"event":"plan"' "$dir/plan.json" || fail "json plan"

# A missing image is named before any phone is looked for (no device needed: exit 1 at once).
mv "$dir/fw/vendor.img" "$dir/vendor.img"
set +e; "$mtkflash" format-download -s "$scatter" --da "$dir/da.bin" -d usbip://127.0.0.1:1/1-1 \
  2>"$dir/log"; rc=$?; set -e
[[ $rc == 1 ]] && grep -q "IMAGE_MISSING.*vendor.img" "$dir/log" || fail "missing image not reported"
mv "$dir/vendor.img" "$dir/fw/vendor.img"

mtkemu_start "$mtkemu" "$dir/phone.yaml" "$dir/emu.log"
pid=$MTKEMU_PID
dev="usbip://127.0.0.1:$MTKEMU_PORT/1-1"
flash() { "$mtkflash" "$@" --device "$dev" --da "$dir/da.bin" --timeout 5000; }

# Firmware Upgrade on a blank phone: 1037 with the message people know.
set +e; flash upgrade -s "$scatter" 2>"$dir/log"; rc=$?; set -e
[[ $rc == 1 ]] || fail "upgrade without a table gave $rc"
grep -q "S_PART_NO_VALID_TABLE (1037)" "$dir/log" || fail "no 1037"
grep -q "Firmware Upgrade could not be executed without PMT" "$dir/log" || fail "no PMT message"

# Format All + Download with verify, JSON events and a log file.
flash format-download -s "$scatter" --verify --json --log "$dir/flash.log" >"$dir/events.json" \
  2>"$dir/log" || fail "format-download"
grep -q '"event":"summary".*"images_verified":9' "$dir/events.json" || fail "summary"
tail -1 "$dir/events.json" | grep -q '"event":"result","ok":true' || fail "final result"
grep -q "write system" "$dir/flash.log" || fail "log file"

# The phone now has the scatter's table; its nvram gets calibration data of its own.
flash printgpt >"$dir/gpt.txt" 2>/dev/null
grep -q " system " "$dir/gpt.txt" || fail "no system in the new table"
head -c 5242880 /dev/urandom >"$dir/nvram.bin"
flash write -p nvram -i "$dir/nvram.bin" 2>/dev/null

# Download Only of two partitions, then readback of one and compare.
flash download -s "$scatter" -p boot,lk 2>"$dir/log" || fail "download -p"
grep -q "Download Only done: 2 image" "$dir/log" || fail "download summary"
flash readback -p boot -o "$dir/boot.back" 2>/dev/null || fail "readback"
cmp -n 2097152 "$dir/fw/boot.img" "$dir/boot.back" || fail "boot differs"

# Firmware Upgrade keeps nvram, and keeps its backup.
flash upgrade -s "$scatter" --backup-dir "$dir/backup" 2>"$dir/log" || fail "upgrade"
flash readback -p nvram -o "$dir/nvram.back" 2>/dev/null
cmp "$dir/nvram.bin" "$dir/nvram.back" || fail "nvram lost in the upgrade"
ls "$dir/backup"/*.done-*/nvram.raw >/dev/null || fail "backup not kept"

# boot1 readback gives the flashable preloader of the firmware.
flash readback --area boot1 -o "$dir/boot1.bin" --preloader-out "$dir/pl.bin" 2>/dev/null
cmp "$dir/pl.bin" "$dir/fw/preloader_k65v1_64_bsp.bin" || fail "preloader from boot1"

# make-scatter from the phone; split a whole-ROM dump (first 1 GiB of the user area).
flash make-scatter -o "$dir/made.txt" 2>/dev/null
grep -q "partition_name: nvram" "$dir/made.txt" || fail "make-scatter"
flash readback --area user --length 0x40000000 -o "$dir/ROM_0" 2>/dev/null
"$mtkflash" split -i "$dir/ROM_0" -o "$dir/parts" --platform MT6765 2>"$dir/log" || fail "split"
cmp "$dir/parts/nvram.img" "$dir/nvram.bin" || fail "split nvram"
[[ -f $dir/parts/MT6765_Android_scatter.txt ]] || fail "split scatter"
# The dump is as sparse on disk as the phone: 1 GiB of mostly holes.
du -sk "$dir/ROM_0" | awk '{ if ($1 > 262144) { print "FAIL: dump not sparse: " $1 " KiB"; exit 1 } }'

# Format keeps nvram unless it is named.
flash format 2>"$dir/log" || fail "format"
grep -q "keep nvram" "$dir/log" || fail "format does not keep nvram"
echo "mtkflash firmware verbs: all checks passed"
