#!/bin/sh
# make demo: build a minimal root filesystem from busybox-static in a
# temporary directory and run a shell in a container on it.
set -eu
bin=$1
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "demo: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
root=$(mktemp -d /tmp/ucontain-demo.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/proc" "$root/dev" "$root/tmp" "$root/etc"
cp "$busybox" "$root/bin/busybox"
for applet in sh cat hostname id ls ps sed tr; do ln -s busybox "$root/bin/$applet"; done
chmod 755 "$root"
echo "\$ $bin contain $root /bin/sh -c '...'"
"$bin" contain "$root" /bin/sh -c '
  echo "PID of this shell:   $$"
  echo "identity:            $(id)"
  echo "environment of PID 1: $(tr "\0" " " < /proc/1/environ)"
  hostname demo-container
  echo "hostname (set here): $(hostname)"
  echo "processes:"; ps -o pid,user,comm
  echo "mounts:"; sed "s/^[^ ]* [^ ]* [^ ]* [^ ]* \([^ ]*\) .* - \([^ ]*\) .*/  \1 (\2)/" /proc/self/mountinfo
  echo "/dev:" $(ls /dev)'
echo "back on the host: hostname is still $(hostname)"
