#!/bin/sh
# The checks run inside each virtual machine (tests/vm/run.py), by busybox
# sh, as root from the initramfs itself (STAGE=initramfs) and again after a
# switch_root (STAGE=switched); each check prints "ok NAME" or
# "FAIL NAME: what came out", and the last line is "vm: N passed, M failed".
U=/bin/ucontain
pass=0 fail=0
check() { # NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok $STAGE $1"
	else fail=$((fail + 1)); echo "FAIL $STAGE $1: wanted [$2] got [$3]"; fi
}
run() { "$@" 2>&1; echo "status=$?"; }

check version "ucontain 0.1.0
status=0" "$(run $U --version)"
check usage-64 "status=64" "$(run $U seal | tail -n 1)"
check seal "sealed
status=0" "$(run $U seal /bin/busybox echo sealed)"
check pseudo "0
status=0" "$(run $U pseudo /bin/busybox id -u)"
check isolate "lo
status=0" "$(run $U isolate /bin/busybox sh -c 'ls /sys/class/net')"
check contain-pid1 "1
status=0" "$(run $U contain /c /bin/sh -c 'echo $$')"
check contain-mounts "/ /dev /dev/full /dev/null /dev/pts /dev/random /dev/shm /dev/tty /dev/urandom /dev/zero /proc
status=0" "$(run $U contain /c /bin/sh -c 'cut -d" " -f5 /proc/self/mountinfo | sort | tr "\n" " " | sed "s/ \$//"; echo')"
$U contain /c /bin/sleep 60 </dev/null >/dev/null 2>&1 &
sup=$!
i=0; while [ $i -lt 50 ] && ! [ -e /proc/$sup/task/$sup/children ] || [ -z "$(cat /proc/$sup/task/$sup/children 2>/dev/null)" ]; do sleep 0.2; i=$((i + 1)); [ $i -ge 50 ] && break; done
sleep 1
check inject "1 0 0
status=0" "$(run $U inject -c $sup /bin/sh -c 'echo $(cut -d" " -f1 /proc/1/stat) $(id -u) $(id -g)')"
kill -TERM $sup; wait $sup
# Root's mounter makes the overlay in the initial user namespace, so a
# volatile root works on every kernel (unprivileged, overlayfs needs 5.11).
check volatile "x
status=0
absent" "$(run $U contain -v /c /bin/sh -c 'echo x > /volatile && cat /volatile'; [ -e /c/volatile ] || echo absent)"
# The flags contain sets are locked on every kernel, with or without
# mount_setattr (5.12): container root cannot make -r writable or DIR dev.
check locked "ro=1 dev=1
status=0" "$(run $U contain -r /c/bin:/ro /c /bin/sh -c 'mount -o remount,rw,bind /ro 2>/dev/null; r=$?; mount -o remount,bind,dev / 2>/dev/null; echo ro=$r dev=$?')"
check no-leftover "" "$(ps -o pid,comm | grep -E 'sleep|ucontain' | grep -v grep)"

if [ "$STAGE" = initramfs ]; then
	check pivot-initramfs "pivot: cannot pivot to new root /c: the root is the initramfs (rootfs); use switch_root first: Invalid argument
status=1" "$(run $U pivot /c)"
	# A hostile container root: none of these reaches the initramfs's marker.
	check escape-none "" "$($U contain /c /bin/sh -c '
		cat /marker ../marker ../../../marker /proc/1/root/marker 2>/dev/null
		mkdir -p /tmp/x && cp /bin/busybox /tmp/x/busybox && cd / && chroot /tmp/x /busybox sh -c "cd ../../../../..; /busybox cat marker; cd /; /busybox cat marker" 2>/dev/null
		cd /; for i in 1 2 3 4 5 6 7 8; do cd ..; done; cat marker 2>/dev/null
		umount -l / 2>/dev/null; cat /marker 2>/dev/null
		mount --move / /mnt 2>/dev/null; cat /mnt/marker 2>/dev/null
		nsenter --mount=/proc/self/ns/mnt cat /marker 2>/dev/null
	' 2>&1 | grep -v "^$")"
	check escape-mounts "/ /dev /dev/full /dev/null /dev/pts /dev/random /dev/shm /dev/tty /dev/urandom /dev/zero /proc" \
		"$($U contain /c /bin/sh -c 'cut -d" " -f5 /proc/self/mountinfo | sort | tr "\n" " " | sed "s/ \$//"')"
fi
if [ -x /usr/bin/newuidmap ]; then
	check unpriv-pseudo "0 1 200000 65536
status=0" "$(run su tester -s /bin/sh -c "$U pseudo /bin/busybox sh -c 'id -u; sed -n 2p /proc/self/uid_map' | tr -s ' \n' ' ' | sed 's/^ //; s/ \$//'; echo")"
	check unpriv-contain "1 0
status=0" "$(run su tester -s /bin/sh -c "$U contain /u /bin/sh -c 'echo \$\$ \$(id -u)' 2>&1 | grep -v warning")"
fi
echo "vm: $pass passed, $fail failed"
