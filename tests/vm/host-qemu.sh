#!/bin/sh
# Install qemu-system (x86, arm, misc) on the host from bookworm-backports,
# whose qemu matches the machine's backported qemu-utils (bookworm's own
# qemu-system conflicts with it).  The suites come from a private sources
# list and lists directory under the cache; /etc/apt is never changed.
set -e
need=""
for q in qemu-system-x86_64:qemu-system-x86 qemu-system-aarch64:qemu-system-arm \
         qemu-system-arm:qemu-system-arm qemu-system-riscv64:qemu-system-misc; do
  command -v "${q%%:*}" >/dev/null 2>&1 || need="$need ${q#*:}"
done
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "tests/vm: missing qemu-system packages:$need (install them as root from bookworm-backports)" >&2
  exit 1
fi
VM_CACHE=${UCONTAIN_CACHE:-$HOME/.cache/ucontain}/vm
D=$VM_CACHE/host-apt
mkdir -p "$D/lists/partial" "$D/parts"
K=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$D/sources.list" <<SRC
deb [arch=amd64 signed-by=$K] http://deb.debian.org/debian bookworm main
deb [arch=amd64 signed-by=$K] http://deb.debian.org/debian bookworm-updates main
deb [arch=amd64 signed-by=$K] http://deb.debian.org/debian-security bookworm-security main
deb [arch=amd64 signed-by=$K] http://deb.debian.org/debian bookworm-backports main
SRC
O="-o Dir::Etc::SourceList=$D/sources.list -o Dir::Etc::SourceParts=$D/parts -o Dir::State::Lists=$D/lists -o Acquire::Retries=3 -o Acquire::Languages=none -o APT::Sandbox::User=root"
echo "tests/vm: installing from bookworm-backports:$need"
apt-get -qq $O update >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get -y -qq $O -t bookworm-backports install --no-install-recommends $need >/dev/null
