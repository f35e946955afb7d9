#!/usr/bin/env bash
# Prepares the small Linux guest of the VM test (the kernel path: `usbip attach` in a VM).
#
#   ci/vm/prepare.sh packages  [--cache DIR]
#   ci/vm/prepare.sh initramfs [--cache DIR] --program PATH --out FILE
#                              [--add-program PATH:GUESTPATH]... [--add-file PATH:GUESTPATH]...
#
# packages:  downloads Debian's kernel package and its udev package (installing neither) with
#            `apt-get download` into the cache, extracts the uncompressed vmlinux (booted through
#            PVH, ~5 s faster than the bzImage under software emulation), the modules the guest
#            needs in insmod order, and udevadm (which is also systemd-udevd). Done once; later
#            calls find the cache and use no network.
# initramfs: builds an uncompressed initramfs: busybox, those modules, udevd, Debian's usbip
#            tool, the test program, each with every library it needs (and the ELF interpreter),
#            ci/vm/init.sh as /init. Cheap (<1 s), so it is rebuilt on every run with the
#            current binary. --add-program puts another executable (with its libraries) at
#            GUESTPATH, --add-file a plain file (the flash test's mtkflash, DA, preloader,
#            image, and the files of the sample firmware that the guest flashes with Format All
#            + Download: run.sh puts them in /opt/mtkvm/fw).
#
# Exit codes: 0 done, 77 something it needs is not available here (message on stderr says what
# to install), 1 anything else.
# The cache defaults to build/vm in the source tree; MTK_VM_CACHE overrides it, and
# MTK_VM_KERNEL_PKG names a kernel package other than the one linux-image-amd64 depends on.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${MTK_VM_CACHE:-$root/build/vm}
mode=${1:-}
shift || true
program=""
out=""
add_programs=()
add_files=()
while (($#)); do
  case $1 in
    --cache) cache=$2; shift 2 ;;
    --program) program=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --add-program) add_programs+=("$2"); shift 2 ;;
    --add-file) add_files+=("$2"); shift 2 ;;
    *) echo "prepare.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done

unavailable() {
  echo "prepare.sh: $*" >&2
  exit 77
}
say() { echo "prepare.sh: $*" >&2; }

# The guest's modules, named as modprobe knows them; their dependencies come first, each once.
# usbcore gets autosuspend=-1 from /init (busybox insmod does not read the kernel command line).
GUEST_MODULES=(vhci-hcd cdc-acm virtio_pci virtio_net)

kernel_dir=$cache/kernel
udev_dir=$cache/udev

# Downloads one Debian package with `apt-get download` (never installs it) and unpacks it into
# $2. Stale package lists (a version the archive no longer has) get one apt-get update.
download_and_unpack() {
  local pkg=$1 dest=$2 dl
  dl=$(mktemp -d "$cache/download.XXXXXX")
  say "downloading $pkg (apt-get download, not installed)"
  # APT::Sandbox::User=root: the cache dir need not be readable by the _apt user.
  if ! (cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null 2>&1); then
    if [[ $(id -u) == 0 ]]; then
      say "download failed; the package lists may be stale: apt-get update and retry"
      apt-get update -qq >/dev/null 2>&1 || true
    fi
    (cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null 2>&1) || {
      rm -rf "$dl"
      unavailable "could not download $pkg from Debian's archive (apt-get download $pkg)"
    }
  fi
  mkdir -p "$dest"
  dpkg-deb -x "$dl"/*.deb "$dest"
  rm -rf "$dl"
}

# udevd, from Debian's udev package (downloaded, not installed: the host needs no udev). Without
# it nothing relays the kernel's hotplug events to libudev's listeners, so a libusb program that
# is already running never sees a device attached after it started (a new one does: libusb
# enumerates sysfs at start). The flasher waits for phones that appear and re-enumerate.
prepare_udev() {
  mkdir -p "$udev_dir"
  exec 8>"$udev_dir/.lock"
  flock 8
  if [[ -s $udev_dir/udevadm ]]; then return 0; fi
  rm -rf "$udev_dir/root"
  download_and_unpack udev "$udev_dir/root"
  local adm=$udev_dir/root/bin/udevadm
  [[ -x $adm ]] || adm=$udev_dir/root/usr/bin/udevadm
  [[ -x $adm ]] || { say "no udevadm in Debian's udev package"; exit 1; }
  cp "$adm" "$udev_dir/udevadm.tmp"
  rm -rf "$udev_dir/root"
  mv "$udev_dir/udevadm.tmp" "$udev_dir/udevadm"
  say "udevd ready in $udev_dir"
}

prepare_kernel() {
  mkdir -p "$kernel_dir"
  # Two builds (release, asan) may run their VM tests at the same time: one prepares, the
  # other waits for it.
  exec 9>"$kernel_dir/.lock"
  flock 9
  if [[ -s $kernel_dir/vmlinux && -s $kernel_dir/modules.list ]]; then return 0; fi

  for tool in dpkg-deb depmod modprobe xz; do
    command -v "$tool" >/dev/null ||
      unavailable "no $tool here (apt-get install kmod xz-utils dpkg)"
  done

  local pkg=${MTK_VM_KERNEL_PKG:-}
  if [[ -z $pkg ]]; then
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
      sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
    if [[ -z $pkg && $(id -u) == 0 ]]; then
      say "apt does not know linux-image-amd64 yet: apt-get update"
      apt-get update -qq >/dev/null 2>&1 || true
      pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
    fi
    [[ -n $pkg ]] || unavailable "cannot find Debian's kernel package (apt-cache depends linux-image-amd64 names none; run apt-get update)"
  fi

  rm -rf "$kernel_dir/root"
  download_and_unpack "$pkg" "$kernel_dir/root"

  local kver
  kver=$(ls "$kernel_dir/root/lib/modules")
  [[ -n $kver && -d $kernel_dir/root/lib/modules/$kver ]] || { say "no modules in $pkg"; exit 1; }
  local vmlinuz=$kernel_dir/root/boot/vmlinuz-$kver

  # vmlinux: the xz stream inside the bzImage (Debian compresses its kernels with xz). The first
  # xz magic that decompresses to an ELF file is the kernel (as scripts/extract-vmlinux does).
  local off ok=0
  for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | cut -d: -f1); do
    # xz complains about the bytes after the stream; what it decompressed is complete.
    tail -c +$((off + 1)) "$vmlinuz" | xz -dc 2>/dev/null >"$kernel_dir/vmlinux.tmp" || true
    if [[ $(head -c 4 "$kernel_dir/vmlinux.tmp" | od -An -c | tr -d ' ') == '177ELF' ]]; then
      ok=1
      break
    fi
  done
  [[ $ok == 1 ]] || { say "could not extract vmlinux from $vmlinuz"; exit 1; }

  # The package ships no modules.dep: make one, then ask modprobe for the insmod order.
  depmod -b "$kernel_dir/root" "$kver"
  mkdir -p "$kernel_dir/modules.tmp"
  local list=() m line path name
  for m in "${GUEST_MODULES[@]}"; do
    while read -r line; do
      case $line in
        insmod\ *)
          path=$(echo "$line" | awk '{print $2}')
          name=$(basename "$path")
          name=${name%.xz}  # busybox insmod wants it uncompressed
          if [[ ! " ${list[*]-} " == *" $name "* ]]; then
            list+=("$name")
            case $path in
              *.xz) xz -dc "$path" >"$kernel_dir/modules.tmp/$name" ;;
              *) cp "$path" "$kernel_dir/modules.tmp/$name" ;;
            esac
          fi
          ;;
        builtin\ *) ;;  # part of the kernel already
        *) say "unexpected modprobe output: $line"; exit 1 ;;
      esac
    done < <(modprobe -d "$kernel_dir/root" -S "$kver" --show-depends "$m")
  done
  rm -rf "$kernel_dir/modules"
  mv "$kernel_dir/modules.tmp" "$kernel_dir/modules"
  printf '%s\n' "${list[@]}" >"$kernel_dir/modules.list.tmp"
  echo "$pkg" >"$kernel_dir/package"
  echo "$kver" >"$kernel_dir/kver"
  rm -rf "$kernel_dir/root"  # 400 MB unpacked; what we need is copied out
  mv "$kernel_dir/vmlinux.tmp" "$kernel_dir/vmlinux"
  mv "$kernel_dir/modules.list.tmp" "$kernel_dir/modules.list"
  say "kernel $kver ready in $kernel_dir ($(wc -l <"$kernel_dir/modules.list") modules)"
}

# Copies an executable and every library ldd names, the ELF interpreter included, to the same
# paths under $1.
copy_with_libs() {
  local dest=$1 bin=$2 target=$3 lib
  mkdir -p "$dest$(dirname "$target")"
  if command -v strip >/dev/null; then
    strip --strip-debug -o "$dest$target" "$bin"
  else
    cp -L "$bin" "$dest$target"
  fi
  chmod 755 "$dest$target"
  # "libx.so.1 => /lib/.../libx.so.1 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)".
  while read -r lib; do
    [[ -e $dest$lib ]] && continue
    mkdir -p "$dest$(dirname "$lib")"
    cp -L "$lib" "$dest$lib"
  done < <(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
  if ldd "$bin" | grep -q 'not found'; then
    say "$bin needs a library this machine lacks:"
    ldd "$bin" | grep 'not found' >&2
    exit 1
  fi
}

prepare_initramfs() {
  [[ -n $program && -n $out ]] || { say "initramfs needs --program and --out"; exit 1; }
  [[ -x $program ]] || { say "no test program at $program (build it first)"; exit 1; }
  [[ -s $kernel_dir/modules.list ]] || { say "run prepare.sh packages first"; exit 1; }
  local busybox usbip
  busybox=$(command -v busybox || true)
  [[ -n $busybox ]] || unavailable "busybox is not installed (apt-get install busybox-static)"
  # A static busybox needs no libraries; a dynamic one would work too (copy_with_libs).
  usbip=$(command -v usbip || echo /usr/sbin/usbip)
  [[ -x $usbip ]] || unavailable "Linux's usbip tool is not installed (apt-get install usbip)"
  command -v cpio >/dev/null || unavailable "cpio is not installed (apt-get install cpio)"

  mkdir -p "$(dirname "$out")"
  d=$(mktemp -d "${out}.dir.XXXXXX")
  trap 'rm -rf "$d"' EXIT
  mkdir -p "$d"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,var,etc,lib/mtkvm,usr/share/misc,opt/mtkvm}
  ln -s ../run "$d/var/run"  # usbip keeps its state in /var/run/vhci_hcd
  if [[ $(id -u) == 0 ]]; then mknod -m 600 "$d/dev/console" c 5 1; fi

  if ldd "$busybox" >/dev/null 2>&1; then
    copy_with_libs "$d" "$busybox" /bin/busybox
  else
    cp "$busybox" "$d/bin/busybox"
  fi
  local applet
  for applet in $("$busybox" --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$d/bin/$applet"
  done

  copy_with_libs "$d" "$usbip" /usr/sbin/usbip
  # usbip reads usb.ids for every name it prints; the real file costs ~3 s per call under
  # software emulation.
  printf '0e8d  MediaTek Inc.\n\t0003  MT65xx BROM\n\t2000  mtkemu echo test device\n\t2001  MT65xx DA\n' >"$d/usr/share/misc/usb.ids"

  # lsusb (usbutils) only shows the device in the log; the checks read sysfs.
  if [[ -x /usr/bin/lsusb ]]; then copy_with_libs "$d" /usr/bin/lsusb /usr/bin/lsusb; fi

  copy_with_libs "$d" "$program" /opt/mtkvm/test-program
  local spec src dst
  for spec in ${add_programs[@]+"${add_programs[@]}"}; do
    src=${spec%%:*}
    dst=${spec#*:}
    [[ -x $src ]] || { say "no program at $src (build it first)"; exit 1; }
    copy_with_libs "$d" "$src" "$dst"
  done
  for spec in ${add_files[@]+"${add_files[@]}"}; do
    src=${spec%%:*}
    dst=${spec#*:}
    [[ -f $src ]] || { say "no file at $src"; exit 1; }
    mkdir -p "$d$(dirname "$dst")"
    cp "$src" "$d$dst"
  done

  [[ -s $udev_dir/udevadm ]] || { say "run prepare.sh packages first"; exit 1; }
  copy_with_libs "$d" "$udev_dir/udevadm" /usr/bin/udevadm
  mkdir -p "$d/usr/lib/systemd" "$d/etc/udev"
  ln -s ../../bin/udevadm "$d/usr/lib/systemd/systemd-udevd"

  cp "$kernel_dir"/modules/*.ko "$d/lib/mtkvm/"
  cp "$kernel_dir/modules.list" "$d/lib/mtkvm/modules.list"
  cp "$here/init.sh" "$d/init"
  chmod 755 "$d/init"

  # Uncompressed: the kernel unpacks it without decompressing, which is faster under TCG.
  (cd "$d" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out.tmp"
  mv "$out.tmp" "$out"
}

case $mode in
  packages) prepare_kernel; prepare_udev ;;
  initramfs) prepare_initramfs ;;
  *) echo "usage: prepare.sh packages|initramfs [--cache DIR] [--program PATH --out FILE] [--add-program|--add-file PATH:GUESTPATH]..." >&2; exit 1 ;;
esac
