#!/bin/sh
# Install what the tests (or, with arguments, only the named parts:
# busybox, groff, bwrap, podman) need on a Debian machine, or say exactly what is missing.
# Nothing is skipped silently.
set -e
need=""
want() { [ $# -eq 0 ] || case " $WANT " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
WANT="$*"
all=$([ -z "$WANT" ] && echo yes || echo no)
# The test root filesystems (and the demo's) need a static busybox: the
# dynamic one of the busybox package cannot run inside them.
if [ "$all" = yes ] || want busybox; then
  if ! [ -x /bin/busybox ] || readelf -lW /bin/busybox 2>/dev/null | grep -q INTERP; then need="$need busybox-static"; fi
fi
# The nesting test runs contain inside bubblewrap.
if [ "$all" = yes ] || want bwrap; then
  command -v bwrap >/dev/null 2>&1 || need="$need bubblewrap"
fi
if want podman; then
  command -v podman >/dev/null 2>&1 || need="$need podman"
fi
if [ "$all" = yes ] || want groff; then
  command -v groff >/dev/null 2>&1 || need="$need groff-base"
fi
if [ "$all" = yes ]; then
  command -v newuidmap >/dev/null 2>&1 || [ -x /usr/bin/newuidmap ] || need="$need uidmap"
  command -v qemu-aarch64-static >/dev/null 2>&1 && command -v qemu-riscv64-static >/dev/null 2>&1 && command -v qemu-arm-static >/dev/null 2>&1 || need="$need qemu-user-static"
  command -v cc >/dev/null 2>&1 || need="$need gcc"
  command -v readelf >/dev/null 2>&1 || need="$need binutils"
  command -v script >/dev/null 2>&1 || need="$need bsdutils"
  command -v setpriv >/dev/null 2>&1 || need="$need util-linux"
  command -v unshare >/dev/null 2>&1 || need="$need util-linux"
  command -v nohup >/dev/null 2>&1 || need="$need coreutils"
  command -v ip >/dev/null 2>&1 || need="$need iproute2"
  [ -x /usr/bin/python3 ] || need="$need python3"
fi
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "tests/deps.sh: installing:$need"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
else
  echo "tests/deps.sh: missing Debian packages:$need (run as root with apt-get, or install them)" >&2
  exit 1
fi
