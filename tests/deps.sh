#!/bin/sh
# Install what the tests need on a Debian machine, or say exactly what is
# missing. Nothing is skipped silently.
set -e
need=""
command -v newuidmap >/dev/null 2>&1 || [ -x /usr/bin/newuidmap ] || need="$need uidmap"
[ -x /bin/busybox ] || [ -x /usr/bin/busybox ] || need="$need busybox-static"
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
