#!/bin/sh
# Build, once, the Debian bookworm root filesystems of the distribution
# tests (tests/distro.rs) and keep each as a tarball in the cache:
#   ${UCONTAIN_CACHE:-$HOME/.cache/ucontain}/distro/{systemd,sysvinit,runit,openrc}.tar
# A minbase debootstrap is made once (base.tar, its .debs kept in debs/);
# each variant is that base plus its init, installed with apt-get in a
# chroot (in a private mount namespace), plus the test service
# `ucontain-echo` (TCP 127.0.0.1:7777) whose start and stop write marks to
# /var/log/ucontain-marks, and a console login: root has an empty password
# and a getty runs on /dev/console (see `console_login`). A tarball is
# rebuilt only when this script, the suite or the mirror changed (all in
# NAME.stamp). Needs root; installs debootstrap with apt-get when it is
# missing. Prints the cache directory on stdout.
# Usage: build.sh [VARIANT...]   (default: all)
set -eu

CACHE=${UCONTAIN_CACHE:-$HOME/.cache/ucontain}/distro
MIRROR=${UCONTAIN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
ALL="systemd sysvinit runit openrc"
# What every variant holds besides minbase: the tools the checks use.
COMMON="iputils-ping,python3,procps"
HERE=$(cd "$(dirname "$0")" && pwd)
# Everything a variant is made from is in this one file: its hash (with the
# suite and the mirror, which the base also depends on) is the stamp.
SELF_HASH=$(sha256sum "$HERE/build.sh" | cut -c1-16)
VARIANT_STAMP="$SELF_HASH $SUITE $MIRROR"

say() { echo "build.sh: $*" >&2; }

[ "$(id -u)" = 0 ] || { say "must run as root (debootstrap, chroot)"; exit 1; }
mkdir -p "$CACHE/debs"
# One build at a time (test threads, parallel cargo runs).
exec 9>"$CACHE/.lock"
flock 9

packages() {
	case $1 in
	systemd) echo "systemd-sysv" ;;
	sysvinit) echo "sysvinit-core" ;;
	runit) echo "runit-init" ;;
	# Debian's OpenRC runs under sysvinit's /sbin/init: its inittab calls
	# /etc/init.d/rcS and /etc/init.d/rc, which openrc provides (it
	# conflicts with sysv-rc, so sysvinit-core's dependency takes openrc).
	openrc) echo "sysvinit-core openrc" ;;
	*) say "unknown variant $1 (one of: $ALL)"; exit 64 ;;
	esac
}

base() {
	# The base (the slow, networked part) is kept across changes of this
	# script: its stamp names what it is made from; add to it whatever
	# changes here should remake it.
	stamp="$SUITE minbase $COMMON $MIRROR"
	if [ -f "$CACHE/base.tar" ] && [ "$(cat "$CACHE/base.stamp" 2>/dev/null)" = "$stamp" ]; then
		return
	fi
	if ! command -v debootstrap >/dev/null; then
		say "installing debootstrap"
		apt-get install -y -qq debootstrap >&2 || { apt-get update -qq >&2 && apt-get install -y -qq debootstrap >&2; }
	fi
	say "debootstrap $SUITE minbase (once)"
	start=$(date +%s)
	rm -rf "$CACHE/work"
	mkdir -p "$CACHE/work"
	debootstrap --variant=minbase --include="$COMMON" --cache-dir="$CACHE/debs" \
		"$SUITE" "$CACHE/work/base" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
		{ tail -20 "$CACHE/debootstrap.log" >&2; say "debootstrap failed (log: $CACHE/debootstrap.log)"; exit 1; }
	chroot "$CACHE/work/base" apt-get clean
	tar -C "$CACHE/work/base" --numeric-owner -cf "$CACHE/base.tar.new" .
	mv "$CACHE/base.tar.new" "$CACHE/base.tar"
	echo "$stamp" >"$CACHE/base.stamp"
	rm -rf "$CACHE/work"
	say "base: $(($(date +%s) - start)) s"
}

# The test service, for every init: a TCP line server on 127.0.0.1:7777.
echo_service() {
	root=$1
	cat >"$root/usr/local/sbin/ucontain-echo" <<'PY'
#!/usr/bin/python3
# ucontain-echo: answer every TCP connection on 127.0.0.1:7777 with one line.
import os, signal, socket, sys
def mark(what):
    with open("/var/log/ucontain-marks", "a") as f:
        f.write("ucontain-echo " + what + "\n")
def stop(sig, frame):
    mark("stopped by signal %d" % sig)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 7777))
s.listen(8)
mark("started")
if len(sys.argv) > 1 and sys.argv[1] == "--daemon":
    if os.fork():
        os._exit(0)
    os.setsid()
    with open("/run/ucontain-echo.pid", "w") as f:
        f.write("%d\n" % os.getpid())
    fd = os.open("/dev/null", os.O_RDWR)
    for i in (0, 1, 2):
        os.dup2(fd, i)
while True:
    c, _ = s.accept()
    c.sendall(b"ucontain-echo here\n")
    c.close()
PY
	chmod 0755 "$root/usr/local/sbin/ucontain-echo"
}

configure() {
	name=$1 root=$2
	echo_service "$root"
	case $name in
	systemd)
		cat >"$root/etc/systemd/system/ucontain-echo.service" <<'UNIT'
[Unit]
Description=ucontain test service (TCP 127.0.0.1:7777)
After=network.target

[Service]
ExecStart=/usr/local/sbin/ucontain-echo

[Install]
WantedBy=multi-user.target
UNIT
		mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
		ln -sf ../ucontain-echo.service "$root/etc/systemd/system/multi-user.target.wants/ucontain-echo.service"
		# In a container (the `container` variable), systemd-getty-generator
		# adds console-getty.service (agetty on /dev/console) to getty.target,
		# which multi-user.target wants: neither may be masked.
		for unit in console-getty.service getty.target; do
			[ "$(readlink "$root/etc/systemd/system/$unit")" != /dev/null ] || { say "$unit is masked"; return 1; }
		done
		[ -e "$root/usr/lib/systemd/system/multi-user.target.wants/getty.target" ] ||
			{ say "multi-user.target does not want getty.target"; return 1; }
		;;
	sysvinit | openrc)
		if [ "$name" = openrc ]; then
			cat >"$root/etc/init.d/ucontain-echo" <<'RC'
#!/sbin/openrc-run
description="ucontain test service (TCP 127.0.0.1:7777)"
command=/usr/local/sbin/ucontain-echo
command_background=yes
pidfile=/run/ucontain-echo.pid
# Debian's OpenRC runs the LSB scripts of initscripts: the local file
# systems are mountall(.sh)'s; it has no localmount service, and a `need`
# of a missing service keeps this one from starting.
depend() { need mountall; }
RC
		else
			cat >"$root/etc/init.d/ucontain-echo" <<'RC'
#!/bin/sh
### BEGIN INIT INFO
# Provides:          ucontain-echo
# Required-Start:    $local_fs
# Required-Stop:     $local_fs
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: ucontain test service (TCP 127.0.0.1:7777)
### END INIT INFO
case "$1" in
start) start-stop-daemon --start --pidfile /run/ucontain-echo.pid --exec /usr/bin/python3 --startas /usr/local/sbin/ucontain-echo -- --daemon ;;
stop) start-stop-daemon --stop --retry 5 --pidfile /run/ucontain-echo.pid --remove-pidfile ;;
restart) "$0" stop; "$0" start ;;
status) start-stop-daemon --status --pidfile /run/ucontain-echo.pid ;;
*) echo "Usage: $0 {start|stop|restart|status}" >&2; exit 3 ;;
esac
RC
		fi
		chmod 0755 "$root/etc/init.d/ucontain-echo"
		if [ "$name" = openrc ]; then
			chroot "$root" rc-update add ucontain-echo default >&2
		else
			chroot "$root" update-rc.d ucontain-echo defaults >&2
		fi
		# A getty on the console, none on tty1-6 (a container has no
		# virtual terminals: those would respawn too fast and be disabled).
		sed -i 's|^\([1-6]:[0-9]*:respawn:\)|#\1|' "$root/etc/inittab" &&
			echo 'co:2345:respawn:/sbin/getty --noclear 38400 console' >>"$root/etc/inittab" ||
			{ say "cannot edit $root/etc/inittab"; return 1; }
		;;
	runit)
		mkdir -p "$root/etc/sv/ucontain-echo"
		printf '#!/bin/sh\nexec /usr/local/sbin/ucontain-echo\n' >"$root/etc/sv/ucontain-echo/run"
		printf '#!/bin/sh\necho "ucontain-echo finished" >>/var/log/ucontain-marks\n' >"$root/etc/sv/ucontain-echo/finish"
		chmod 0755 "$root/etc/sv/ucontain-echo/run" "$root/etc/sv/ucontain-echo/finish"
		# /etc/service is runit/runsvdir/current, which links to default.
		ln -sf /etc/sv/ucontain-echo "$root/etc/runit/runsvdir/default/ucontain-echo"
		;;
	esac
}

# The console login of tests/distro.rs: root without a password (pam_unix
# takes an empty one with `nullok`, which bookworm's common-auth has; its
# login has no pam_securetty), and pam_loginuid optional: writing
# /proc/self/loginuid needs CAP_AUDIT_CONTROL of the initial user namespace,
# which container root lacks, and pam_loginuid forgives that only where
# /proc/self/uid_map differs from the initial namespace's (a `required`
# failure refuses the login).
# configure and this run on the left of || (set -e is off there): a failed
# step says so in the log and returns 1, and the caller shows the log.
console_login() {
	root=$1
	chroot "$root" passwd -d root || { say "passwd -d root failed"; return 1; }
	grep -q '^auth.*pam_unix.so.*nullok' "$root/etc/pam.d/common-auth" ||
		{ say "common-auth has no pam_unix nullok"; return 1; }
	sed -i 's/^session\([[:space:]]*\)required\([[:space:]]*\)pam_loginuid.so/session\1optional\2pam_loginuid.so/' \
		"$root/etc/pam.d/login" || { say "cannot edit $root/etc/pam.d/login"; return 1; }
}

variant() {
	name=$1
	pkgs=$(packages "$name")
	if [ -f "$CACHE/$name.tar" ] && [ "$(cat "$CACHE/$name.stamp" 2>/dev/null)" = "$VARIANT_STAMP" ]; then
		return
	fi
	base
	say "variant $name: $pkgs"
	start=$(date +%s)
	root="$CACHE/work-$name"
	rm -rf "$root"
	mkdir -p "$root"
	tar -C "$root" --numeric-owner -xf "$CACHE/base.tar"
	# No service may start in the chroot while installing.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	mkdir -p "$root/var/cache/apt/archives"
	# The .debs come from (and go to) the shared cache.
	# shellcheck disable=SC2086
	unshare --mount --propagation private sh -ec '
		root=$1; debs=$2; shift 2
		mount --bind "$debs" "$root/var/cache/apt/archives"
		mount -t proc proc "$root/proc"
		chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Use-Pty=0 -qq update
		chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Use-Pty=0 -qq -y \
			--no-install-recommends install "$@"
	' sh "$root" "$CACHE/debs" $pkgs >"$CACHE/$name.log" 2>&1 ||
		{ tail -20 "$CACHE/$name.log" >&2; say "apt-get install $pkgs failed (log: $CACHE/$name.log)"; exit 1; }
	{ configure "$name" "$root" && console_login "$root"; } >>"$CACHE/$name.log" 2>&1 ||
		{ tail -20 "$CACHE/$name.log" >&2; say "configuring $name failed"; exit 1; }
	rm -f "$root/usr/sbin/policy-rc.d"
	rm -rf "$root/var/lib/apt/lists/"*
	: >"$root/etc/resolv.conf"
	# Device nodes cannot be made in a user namespace (`pseudo tar -x`), and
	# contain mounts a /dev of its own anyway.
	find "$root/dev" -mindepth 1 -delete
	tar -C "$root" --numeric-owner -cf "$CACHE/$name.tar.new" .
	mv "$CACHE/$name.tar.new" "$CACHE/$name.tar"
	echo "$VARIANT_STAMP" >"$CACHE/$name.stamp"
	rm -rf "$root"
	say "variant $name: $(($(date +%s) - start)) s"
}

for name in ${*:-$ALL}; do
	variant "$name"
done
echo "$CACHE"
