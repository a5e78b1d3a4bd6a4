#!/bin/sh
# Install what the tests need on a Debian machine, or say exactly what is
# missing. Nothing is skipped silently.
set -e
need=""
command -v newuidmap >/dev/null 2>&1 || [ -x /usr/bin/newuidmap ] || need="$need uidmap"
# The test root filesystems need a static busybox (the dynamic one of the
# busybox package cannot run inside them).
if ! [ -x /bin/busybox ] || readelf -lW /bin/busybox 2>/dev/null | grep -q INTERP; then need="$need busybox-static"; fi
command -v qemu-aarch64-static >/dev/null 2>&1 && command -v qemu-riscv64-static >/dev/null 2>&1 && command -v qemu-arm-static >/dev/null 2>&1 || need="$need qemu-user-static"
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v script >/dev/null 2>&1 || need="$need bsdutils"
command -v setpriv >/dev/null 2>&1 || need="$need util-linux"
command -v unshare >/dev/null 2>&1 || need="$need util-linux"
command -v ip >/dev/null 2>&1 || need="$need iproute2"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "tests/deps.sh: installing:$need"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
else
  echo "tests/deps.sh: missing Debian packages:$need (run as root with apt-get, or install them)" >&2
  exit 1
fi
