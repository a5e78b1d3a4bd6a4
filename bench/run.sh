#!/bin/sh
# make bench: ucontain against the tools it replaces, as ratios of medians.
#
#   sh bench/run.sh /abs/path/to/ucontain      (as root; `make bench` does it)
#
# Environment: BENCH_RUNS (timed runs per command, default 300),
# BENCH_WARMUP (untimed runs first, default 10), BENCH_NICE (niceness of
# the timed commands, default -20, so a busy machine disturbs them less),
# BENCH_CONSOLE_RUNS (runs of the 100 MB console case, default 7),
# BENCH_PAR (containers started at once, default 100) and BENCH_PAR_RUNS
# (rounds of those, default 7).
#
# Every case is timed by bench/timeit.c (fork+exec, CLOCK_MONOTONIC, median
# and p90); the commands of one comparison run interleaved, so load from
# elsewhere on the machine hits them alike.  Unprivileged cases run as uid
# 4000 (timeit's children drop to it), inside a private mount namespace
# where the bench's own passwd/subuid/subgid are bound over /etc's (the
# machine's /etc is never edited); a comparison of different /etc files
# runs each command in the mount namespace of a holder process prepared
# with its files.  The bench runs in a cgroup of its own,
# ucontain-bench.PID below its caller's (in every hierarchy contain uses),
# so every process it starts is in it.  Everything is made under one temp
# dir and that cgroup, and removed at the end with every process in it:
# on success, failure, Ctrl-C or a kill (timeit and the holders die with
# the bench by PR_SET_PDEATHSIG; a guard process that outlives a SIGKILL
# of the bench removes the rest).
set -u

die() { echo "bench: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: sh bench/run.sh /abs/path/to/ucontain"
SRC_BIN=$1
RUNS=${BENCH_RUNS:-300}
WARM=${BENCH_WARMUP:-10}
NICE=${BENCH_NICE:--20}
CONSOLE_RUNS=${BENCH_CONSOLE_RUNS:-7}
PAR=${BENCH_PAR:-100}
PAR_RUNS=${BENCH_PAR_RUNS:-7}
HERE=$(cd "$(dirname "$0")" && pwd) || die "cannot find bench/"
BUID=4000

[ "$(id -u)" = 0 ] || die "run as root: the bench needs a private mount namespace and setpriv to uid $BUID"
[ -x "$SRC_BIN" ] || die "$SRC_BIN: no such executable (run make first)"
for f in passwd subuid subgid; do
	[ -f /etc/$f ] || die "/etc/$f is missing; the bench binds its own copy over it and needs the file to exist"
done

# ---------------------------------------------------------------- deps
static_busybox() {
	for b in /bin/busybox /usr/bin/busybox; do
		[ -x "$b" ] || continue
		LC_ALL=C readelf -l "$b" 2>/dev/null | grep -q 'Requesting program interpreter' && continue
		echo "$b"
		return 0
	done
	return 1
}
need=""
command -v bwrap >/dev/null 2>&1 || need="$need bubblewrap"
{ [ -x /usr/bin/newuidmap ] && [ -x /usr/bin/newgidmap ]; } || need="$need uidmap"
command -v readelf >/dev/null 2>&1 || need="$need binutils"
for t in unshare nsenter setpriv; do
	command -v $t >/dev/null 2>&1 || need="$need util-linux"
done
command -v mount >/dev/null 2>&1 || need="$need mount"
command -v cc >/dev/null 2>&1 || need="$need gcc libc6-dev"
command -v strace >/dev/null 2>&1 || need="$need strace"
command -v script >/dev/null 2>&1 || need="$need bsdutils"
if [ -n "$need" ]; then
	command -v apt-get >/dev/null 2>&1 || die "missing Debian packages:$need (no apt-get to install them)"
	echo "bench: installing:$need"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need; } >/dev/null ||
		die "apt-get install$need failed"
fi
if ! BUSYBOX=$(static_busybox); then
	echo "bench: installing: busybox-static"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static; } >/dev/null ||
		die "apt-get install busybox-static failed"
	BUSYBOX=$(static_busybox) || die "no static busybox in /bin or /usr/bin after installing busybox-static"
fi
unshare --help 2>&1 | grep -q -- --map-auto || echo "bench: note: this unshare has no --map-auto; that case will show n/a"

# ---------------------------------------------------------------- setup
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ucontain-bench.XXXXXX") || die "mktemp failed"
# Background processes of this shell (killed by pid at the end), the
# guard, and "ORIG BENCH" lines of the cgroups made ($TMP/cgroups).
BG="" GUARD="" MOVED=""
# The processes in the bench's cgroups, killed, and the cgroups removed
# (deepest first); safe to run twice and from the guard.
sweep_cgroups() {
	[ -f "$TMP/cgroups" ] || return 0
	while read -r orig cg; do
		[ -d "$cg" ] || continue
		[ -f "$cg/cgroup.kill" ] && echo 1 >"$cg/cgroup.kill" 2>/dev/null
		i=0
		while [ $i -lt 100 ]; do
			procs=$(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)
			[ -z "$procs" ] && break
			kill -KILL $procs 2>/dev/null
			sleep 0.05
			i=$((i + 1))
		done
		find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$cg" ] && echo "bench: warning: cannot remove cgroup $cg" >&2
	done <"$TMP/cgroups"
	return 0
}
cleanup() {
	trap '' INT TERM HUP
	if [ -n "$GUARD" ]; then
		# The guard's wait ends, it sees the flag and exits.
		: >"$TMP/cleaning"
		g=$(cat /proc/$GUARD/task/$GUARD/children 2>/dev/null)
		kill -KILL ${g:-$GUARD} 2>/dev/null
		wait "$GUARD" 2>/dev/null
	fi
	# TERM first: timeit then kills and reaps what it started, contain ends
	# its container; KILL what is still running after 3 s.
	for p in $BG; do
		kill -TERM "$p" 2>/dev/null
	done
	i=0
	while [ $i -lt 60 ]; do
		left=""
		for p in $BG; do
			st=$(cut -d' ' -f3 /proc/$p/stat 2>/dev/null)
			[ -n "$st" ] && [ "$st" != Z ] && left="$left $p"
		done
		[ -z "$left" ] && break
		sleep 0.05
		i=$((i + 1))
	done
	for p in $BG; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ -n "$MOVED" ]; then
		while read -r orig cg; do
			echo $$ >"$orig/cgroup.procs" 2>/dev/null
		done <"$TMP/cgroups"
	fi
	sweep_cgroups
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
TIMEIT_PARENT=$$
export TIMEIT_PARENT

# run_bg CMD...: run the external CMD in the background and wait for it; a
# trapped signal interrupts `wait` at once, where it would wait for a
# foreground command to end.
run_bg() {
	"$@" &
	bgpid=$!
	BG="$BG $bgpid"
	wait $bgpid
	bgst=$?
	BG=$(echo "$BG" | sed "s/ $bgpid\$//; s/ $bgpid / /")
	return $bgst
}
nap() { run_bg sleep "$1"; }
# start_bg CMD...: CMD in the background under `timeit -s` (which reaps
# whatever CMD leaves and, on SIGTERM, kills and reaps all of it); the
# supervisor's pid in BGS, CMD's in BGC once it runs.  stop_bg PID: end one.
start_bg() {
	"$T" -s "$@" &
	BGS=$! BGC=""
	BG="$BG $BGS"
	i=0
	while [ -z "$BGC" ] && [ $i -lt 100 ]; do
		BGC=$(cut -d' ' -f1 /proc/$BGS/task/$BGS/children 2>/dev/null)
		[ -z "$BGC" ] && sleep 0.01
		i=$((i + 1))
	done
}
stop_bg() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	BG=$(echo "$BG" | sed "s/ $1\$//; s/ $1 / /")
}

chmod 755 "$TMP"
mkdir "$TMP/log" "$TMP/etc" "$TMP/root" "$TMP/root/bin" "$TMP/root/proc" "$TMP/root/dev" || die "mkdir in $TMP failed"
chown $BUID:$BUID "$TMP/log"
# A copy readable by uid 4000 wherever the build tree lives.
BIN=$TMP/ucontain
cp "$SRC_BIN" "$BIN" && chmod 755 "$BIN" || die "cannot copy $SRC_BIN"
cc -O2 -Wall -o "$TMP/timeit" "$HERE/timeit.c" || die "cannot compile bench/timeit.c"
cc -O2 -Wall -static -o "$TMP/floor" "$HERE/floor_contain.c" ||
	die "cannot compile bench/floor_contain.c statically (is libc6-dev installed?)"
T=$TMP/timeit FLOOR=$TMP/floor

# The guard: when this shell ends without its cleanup (SIGKILL), kill what
# is left in the bench's cgroups and remove them and $TMP.  Started before
# the shell enters its cgroup, so it is not in it.
(
	trap - EXIT
	trap '' INT TERM HUP
	"$T" -w $$
	[ -e "$TMP/cleaning" ] && exit 0
	sweep_cgroups
	rm -rf "$TMP"
) </dev/null >/dev/null 2>&1 &
GUARD=$!

# The bench's cgroups: ucontain-bench.PID below its own cgroup in the v2
# hierarchy and in name=systemd's where mounted (as contain finds its own,
# src/cgroup.rs), each with uid4000/ (owned by uid 4000 as a delegated
# cgroup is: the directory, cgroup.procs, cgroup.threads,
# cgroup.subtree_control or tasks) and root-owned/.
cg_dirs() {
	awk '
	function dir(root, point, path) {
		if (root != "/") {
			if (index(path, root) != 1) return ""
			path = substr(path, length(root) + 1)
		}
		path = point "/" path
		gsub(/\/+/, "/", path); sub(/\/$/, "", path)
		return path
	}
	FILENAME == "/proc/self/cgroup" {
		if ($0 ~ /^0::/) v2 = substr($0, 4)
		else if (match($0, /:name=systemd:/)) sd = substr($0, RSTART + 14)
		next
	}
	{
		for (i = 7; i < NF && $i != "-"; i++) ;
		fs = $(i + 1); opt = "," $(i + 3) ","
		if (fs == "cgroup2" && v2 != "" && d2 == "") d2 = dir($4, $5, v2)
		else if (fs == "cgroup" && opt ~ /,name=systemd,/ && sd != "" && ds == "") ds = dir($4, $5, sd)
	}
	END { if (d2 != "") print d2; if (ds != "") print ds }' /proc/self/cgroup /proc/self/mountinfo
}
delegate() {
	mkdir "$1/uid$BUID" "$1/root-owned" && chown $BUID:$BUID "$1/uid$BUID" || return 1
	for f in cgroup.procs cgroup.threads cgroup.subtree_control tasks; do
		[ ! -e "$1/uid$BUID/$f" ] || chown $BUID:$BUID "$1/uid$BUID/$f" || return 1
	done
}
CG_OWN="" CG_ROOT="" CG_WHY=""
for orig in $(cg_dirs); do
	cg=$orig/ucontain-bench.$$
	if ! mkdir "$cg" 2>"$TMP/log/cgroup"; then
		CG_WHY="$CG_WHY${CG_WHY:+; }$(cat "$TMP/log/cgroup")"
		continue
	fi
	echo "$orig $cg" >>"$TMP/cgroups"
	if delegate "$cg" && echo $$ >"$cg/cgroup.procs"; then
		MOVED=yes
		CG_OWN="$CG_OWN @cgroup=$cg/uid$BUID" CG_ROOT="$CG_ROOT @cgroup=$cg/root-owned"
	else
		CG_WHY="$CG_WHY${CG_WHY:+; }cannot set up $cg"
	fi
done
[ -z "$CG_OWN" ] && [ -z "$CG_WHY" ] && CG_WHY="no cgroup2 or name=systemd hierarchy mounted"
CG_LIST=$(awk '{ print $2 }' "$TMP/cgroups" 2>/dev/null | tr '\n' ' ')

DIR=$TMP/root
cp "$BUSYBOX" "$DIR/bin/busybox" || die "cannot copy $BUSYBOX"
ln -s busybox "$DIR/bin/true"
ln -s busybox "$DIR/bin/sleep"
chmod -R a+rX "$DIR"

{ grep -v "^[^:]*:[^:]*:$BUID:" /etc/passwd
  echo "ucbench:x:$BUID:$BUID:ucontain bench:/nonexistent:/usr/sbin/nologin"; } >"$TMP/etc/passwd"
# Variants of /etc/subuid and /etc/subgid (the same for both):
#   ""      uid 4000's range, one line
#   .root   root's range and uid 4000's
#   .own    no line for uid 4000 (so contain maps only its own ids)
#   .r1     root's range, one line
#   .r100k  99,999 lines of other owners, then root's
#   .u100k  99,999 lines of other owners, then uid 4000's
echo "ucbench:100000:65536" >"$TMP/etc/subuid"
printf 'root:200000:65536\nucbench:100000:65536\n' >"$TMP/etc/subuid.root"
echo "root:200000:65536" >"$TMP/etc/subuid.own"
echo "root:200000:65536" >"$TMP/etc/subuid.r1"
others() { awk 'BEGIN { for (i = 1; i < 100000; i++) printf "u%d:%d:65536\n", i, 1000000 + i * 32768 }'; }
{ others; echo "root:200000:65536"; } >"$TMP/etc/subuid.r100k"
{ others; echo "ucbench:100000:65536"; } >"$TMP/etc/subuid.u100k"
for v in "" .root .own .r1 .r100k .u100k; do
	cp "$TMP/etc/subuid$v" "$TMP/etc/subgid$v" || die "cannot write $TMP/etc/subgid$v"
done
chmod 644 "$TMP/etc/"*

# The private mount namespace: sh -c "$NS" sh ETC VARIANT WHO CMD... binds
# the bench's passwd and sub[ug]id$VARIANT over /etc's and runs CMD as WHO
# (root or uid 4000).
NS='e=$1 v=$2 who=$3; shift 3
	mount --bind "$e/passwd" /etc/passwd &&
	mount --bind "$e/subuid$v" /etc/subuid &&
	mount --bind "$e/subgid$v" /etc/subgid || exit 1
	[ "$who" = root ] && exec "$@"
	exec setpriv --reuid "$who" --regid "$who" --clear-groups "$@"'
# in_ns VARIANT WHO CMD...: CMD in such a namespace, in the foreground,
# under `timeit -s` (bwrap, for one, leaves an orphan to reap).
in_ns() {
	TIMEIT_PARENT= "$T" -s nice -n "$NICE" unshare --mount --propagation private sh -c "$NS" sh "$TMP/etc" "$@" || true
}
# hold VARIANT: start a process holding such a namespace (until the bench
# ends); its pid in HOLD.
hold() {
	unshare --mount --propagation private sh -c "$NS" sh "$TMP/etc" "$1" root "$T" -w $$ </dev/null >/dev/null 2>"$TMP/log/hold$1" &
	HOLD=$!
	BG="$BG $HOLD" HOLDERS="$HOLDERS $HOLD"
	i=0
	until [ "$(readlink /proc/$HOLD/exe 2>/dev/null)" = "$T" ]; do
		kill -0 $HOLD 2>/dev/null && [ $i -lt 100 ] || die "cannot hold a namespace with /etc/sub[ug]id$1: $(cat "$TMP/log/hold$1")"
		sleep 0.05
		i=$((i + 1))
	done
}
# uidmap VARIANT WHO CMD...: the uid_map CMD (a reader of its argument)
# sees, on one line, so the notes show every case did the same job.
uidmap() {
	in_ns "$@" /proc/self/uid_map 2>&1 | awk '
		$1 ~ /^[0-9]+$/ { m = m (m == "" ? "" : ", ") $1 " " $2 " " $3; next }
		{ if (e == "") e = $0 }
		END { print (m != "" ? m : "failed: " e) }'
}
BWRAP="bwrap --unshare-all --bind $DIR / --proc /proc --dev /dev"
MAPS="pseudo: $(uidmap "" $BUID "$BIN" pseudo cat)
unshare --map-auto --map-root-user: $(uidmap "" $BUID unshare --user --map-auto --map-root-user cat)
contain: $(uidmap "" $BUID "$BIN" contain "$DIR" /bin/busybox cat)
floor_contain: $(uidmap "" $BUID "$FLOOR" -U "0 $BUID 1 1 100000 65536" -G "0 $BUID 1 1 100000 65536" "$DIR" /bin/busybox cat)
bwrap: $(uidmap "" $BUID $BWRAP /bin/busybox cat)"
MAPS_OWN="contain: $(uidmap .own $BUID "$BIN" contain "$DIR" /bin/busybox cat)
floor_contain: $(uidmap .own $BUID "$FLOOR" "$DIR" /bin/busybox cat)
bwrap: $(uidmap .own $BUID $BWRAP /bin/busybox cat)"
MAPS_100K="contain: $(uidmap .u100k $BUID "$BIN" contain "$DIR" /bin/busybox cat)
pseudo: $(uidmap .u100k $BUID "$BIN" pseudo cat)
unshare --map-auto --map-root-user: $(uidmap .u100k $BUID unshare --user --map-auto --map-root-user cat)
contain as root: $(uidmap .r100k root "$BIN" contain "$DIR" /bin/busybox cat) (one-line: $(uidmap .r1 root "$BIN" contain "$DIR" /bin/busybox cat))
pseudo as root: $(uidmap .r100k root "$BIN" pseudo cat) (one-line: $(uidmap .r1 root "$BIN" pseudo cat))"
MAPS_ROOT="pseudo: $(uidmap "" root "$BIN" pseudo cat)
pseudo with root:200000:65536: $(uidmap .root root "$BIN" pseudo cat)
unshare --map-root-user: $(uidmap "" root unshare --user --map-root-user cat)
contain: $(uidmap "" root "$BIN" contain "$DIR" /bin/busybox cat)
floor_contain: $(uidmap "" root "$FLOOR" "$DIR" /bin/busybox cat)"

# ---------------------------------------------------------------- timing
load1() { cut -d' ' -f1 /proc/loadavg; }
# tm_with OPTS RUNS WARM NAME VARIANT WHO CMD... [:: CMD...]...: time the
# commands interleaved (timeit options OPTS, e.g. -p N); results in
# $TMP/NAME.out (one line each), check-run stderr in $TMP/log/NAME.N, the
# 1-minute load average at the start and the end in $TMP/NAME.load.
tm_with() {
	opts=$1 runs=$2 warm=$3 name=$4 v=$5 who=$6
	shift 6
	[ "$who" = root ] || opts="$opts -u $who"
	echo "bench: timing $name ..." >&2
	l0=$(load1)
	TIMEIT_LOG=$TMP/log/$name
	export TIMEIT_LOG
	run_bg nice -n "$NICE" unshare --mount --propagation private sh -c "$NS" sh "$TMP/etc" "$v" root \
		"$T" $opts "$runs" "$warm" "$@" </dev/null >"$TMP/$name.out" 2>"$TMP/log/$name.err"
	unset TIMEIT_LOG
	echo "$l0 $(load1)" >"$TMP/$name.load"
	[ -s "$TMP/$name.out" ] || die "timing $name failed: $(cat "$TMP/log/$name.err")"
}
tm() { tm_with "" "$RUNS" "$WARM" "$@"; }

W=46
# hdr NAME TITLE: a table's header, with the load while NAME was measured
hdr() {
	l=$(awk '{ print ($1 == $2 ? $1 : $1 " -> " $2) }' "$TMP/$1.load" 2>/dev/null)
	printf '\n%-*s %10s %10s %10s  %-6s (load %s)\n' $W "$2" median_us p90_us min_us ratio "${l:-?}"
}
blank() { printf '%-*s %10s %10s %10s  %s\n' $W "" "" "" "" "$1"; }
# row NAME N LABEL [RATIO-TEXT]: print result N of NAME
row() {
	line=$(sed -n "${2}p" "$TMP/$1.out" 2>/dev/null)
	set -- "$1" "$2" "$3" "${4:-}" $line
	case ${5:-} in
	ok)
		extra=""
		[ "$9" != 0 ] && extra=" ($9 of $RUNS timed runs failed)"
		printf '%-*s %10s %10s %10s  %s%s\n' $W "$3" "$6" "$7" "$8" "$4" "$extra"
		;;
	na)
		why=$(grep -v '^$' "$TMP/log/$1.$(($2 - 1))" 2>/dev/null | head -n 1)
		what=exits
		[ "$6" = signal ] && what="dies by signal"
		case $3 in ucontain*|pseudo*|contain*|inject*) prog=ucontain ;; *) prog=${3%% *} ;; esac
		printf '%-*s %10s %10s %10s  n/a (%s %s %s%s)\n' $W "$3" - - - "$prog" "$what" "$7" "${why:+: $why}"
		;;
	*)
		printf '%-*s %10s %10s %10s  (no result)\n' $W "$3" - - -
		;;
	esac
}
# rat NAME I J GOAL LABEL: "LABEL = x.xx (goal <= GOAL: met|MISSED), p90
# y.yy, by min z.zz", from results I and J of NAME (medians; the min ratio
# is the one least disturbed by other load), or "LABEL = n/a"
rat() {
	a=$(sed -n "${2}p" "$TMP/$1.out") b=$(sed -n "${3}p" "$TMP/$1.out")
	awk -v a="$a" -v b="$b" -v g="$4" -v n="$5" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		if (x[1] != "ok" || y[1] != "ok") { print n " = n/a"; exit }
		r = x[2] / y[2]; s = sprintf("%s = %.2f", n, r)
		if (g != "") s = s sprintf(" (goal <= %s: %s)", g, r <= g + 1e-9 ? "met" : "MISSED")
		print s sprintf(", p90 %.2f, by min %.2f", x[3] / y[3], x[4] / y[4]) }'
}
# cost NAME I J: what result I adds to result J: "+D us, xR (p90 ..., by
# min ...)", from the medians, p90s and minimums
cost() {
	a=$(sed -n "${2}p" "$TMP/$1.out") b=$(sed -n "${3}p" "$TMP/$1.out")
	awk -v a="$a" -v b="$b" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		if (x[1] != "ok" || y[1] != "ok") { print "n/a"; exit }
		printf "%+.0f us, x%.2f (p90 %+.0f us, x%.2f; by min %+.0f us, x%.2f)\n",
			x[2] - y[2], x[2] / y[2], x[3] - y[3], x[3] / y[3], x[4] - y[4], x[4] / y[4] }'
}

echo "ucontain bench: $SRC_BIN"
echo "binary size: $(stat -c %s "$SRC_BIN") bytes; $(uname -sr), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$RUNS timed runs per command (+$WARM warm-up), interleaved, at nice $NICE; wall clock per fork+exec+wait, in microseconds"

# 4. startup floor (first: it says what the harness itself costs)
tm start "" root "$BIN" --version :: /bin/true
# 1. pseudo
tm pseudo_u "" $BUID "$BIN" pseudo /bin/true :: unshare --user --map-auto --map-root-user /bin/true
tm pseudo_r "" root "$BIN" pseudo /bin/true :: unshare --user --map-root-user /bin/true
tm pseudo_rr .root root "$BIN" pseudo /bin/true :: unshare --user --map-root-user /bin/true
# 2. contain: root, uid 4000 with helpers, uid 4000 with only its own ids
# The floor does contain's sandbox work too (issue 23): a seccomp program
# of the built-in filter's length, and, as root, pids.max in a cgroup of
# the pids hierarchy (contain's default limit).
FILTER_RS=$(ls -t "$HERE"/../target/*/release/build/ucontain-*/out/seccomp_builtin.rs 2>/dev/null | head -n 1)
[ -n "$FILTER_RS" ] || die "no seccomp_builtin.rs under target/: build with make first"
FILTER_LEN=$(grep -o SockFilter "$FILTER_RS" | wc -l)
PIDS_CG=""
pids_line=$(grep -E '^[0-9]+:(pids|[^:]*,pids)(,[^:]*)?:' /proc/self/cgroup | head -n 1)
[ -n "$pids_line" ] && PIDS_CG=/sys/fs/cgroup/pids${pids_line##*:}
[ -d "$PIDS_CG" ] || { PIDS_CG=""; echo "bench: note: no v1 pids hierarchy: the floor writes no pids.max" >>"$TMP/log/notes"; }
FLOOR_SANDBOX="-S $FILTER_LEN${PIDS_CG:+ -P $PIDS_CG}"
tm contain_r "" root "$BIN" contain "$DIR" /bin/true :: "$FLOOR" $FLOOR_SANDBOX "$DIR" /bin/true :: $BWRAP /bin/true
tm contain_u "" $BUID "$BIN" contain "$DIR" /bin/true :: \
	"$FLOOR" -S $FILTER_LEN -U "0 $BUID 1 1 100000 65536" -G "0 $BUID 1 1 100000 65536" "$DIR" /bin/true :: $BWRAP /bin/true
tm contain_o .own $BUID "$BIN" contain "$DIR" /bin/true :: "$FLOOR" -S $FILTER_LEN "$DIR" /bin/true :: $BWRAP /bin/true
# What the sandbox costs contain itself (root): the built-in filter and
# pids.max, against --seccomp none and -L pids.max=max.
tm sandbox_r "" root "$BIN" contain "$DIR" /bin/true :: "$BIN" contain --seccomp none -L pids.max=max "$DIR" /bin/true

# 5. what each contain option adds (root)
mkdir -p "$TMP/share" "$DIR/mnt" "$DIR/tmp" && chmod 755 "$TMP/share"
tm options_r "" root "$BIN" contain "$DIR" /bin/true :: "$BIN" contain -t /tmp "$DIR" /bin/true :: \
	"$BIN" contain -b "$TMP/share:/mnt" "$DIR" /bin/true :: "$BIN" contain -r "$TMP/share:/mnt" "$DIR" /bin/true :: \
	"$BIN" contain -v "$DIR" /bin/true :: "$BIN" contain -N bench-name "$DIR" /bin/true :: \
	"$BIN" contain --veth -N bench-veth "$DIR" /bin/true
# 5b. what the delegated cgroup adds: uid 4000's contain from a cgroup it
# owns (contain makes ucontain-PID in it) against one it does not own
# (contain warns and goes on without); both move there the same way.
CG_SEEN=""
if [ -n "$CG_OWN" ]; then
	tm cgroup_u "" $BUID $CG_ROOT "$BIN" contain "$DIR" /bin/true :: $CG_OWN "$BIN" contain "$DIR" /bin/true
	# What a container started from the owned cgroup had: its cgroup, and
	# the cgroup's owner, seen from the host while it runs.
	unshare --mount --propagation private sh -c "$NS" sh "$TMP/etc" "" root \
		"$T" -u $BUID 1 0 $CG_OWN "$BIN" contain "$DIR" /bin/sleep 1 </dev/null >/dev/null 2>&1 &
	probe=$!
	BG="$BG $probe"
	i=0
	while [ $i -lt 40 ] && [ -z "$CG_SEEN" ]; do
		sleep 0.1
		for cg in $CG_LIST; do
			CG_SEEN="$CG_SEEN$(find "$cg/uid$BUID" -mindepth 1 -maxdepth 1 -type d -name 'ucontain-*' -printf '%p (owner %U:%G) ' 2>/dev/null)"
		done
		i=$((i + 1))
	done
	wait $probe 2>/dev/null
	BG=$(echo "$BG" | sed "s/ $probe\$//; s/ $probe / /")
fi

# 9. 100,000-line subid files, the caller's line last, against the
# one-line files: each command in the mount namespace of a holder with its
# files, so the two kinds run interleaved.
HOLDERS=""
hold ""; H_U1=/proc/$HOLD/ns/mnt
hold .u100k; H_U100=/proc/$HOLD/ns/mnt
hold .r1; H_R1=/proc/$HOLD/ns/mnt
hold .r100k; H_R100=/proc/$HOLD/ns/mnt
tm subid_r "" root @mntns=$H_R1 "$BIN" contain "$DIR" /bin/true :: @mntns=$H_R100 "$BIN" contain "$DIR" /bin/true :: \
	@mntns=$H_R1 "$BIN" pseudo /bin/true :: @mntns=$H_R100 "$BIN" pseudo /bin/true
tm subid_u "" $BUID @mntns=$H_U1 "$BIN" contain "$DIR" /bin/true :: @mntns=$H_U100 "$BIN" contain "$DIR" /bin/true :: \
	@mntns=$H_U1 "$BIN" pseudo /bin/true :: @mntns=$H_U100 "$BIN" pseudo /bin/true :: \
	@mntns=$H_U1 unshare --user --map-auto --map-root-user /bin/true :: \
	@mntns=$H_U100 unshare --user --map-auto --map-root-user /bin/true
for p in $HOLDERS; do
	kill -KILL $p 2>/dev/null
	wait $p 2>/dev/null
	BG=$(echo "$BG" | sed "s/ $p\$//; s/ $p / /")
done

# 6. the console: 100 MB through contain's relay against util-linux script's,
# each under an outer script that gives it a terminal
head -c 100000000 /dev/zero | tr '\0' 'x' | fold -w 99 >"$DIR/big" || die "cannot write $DIR/big"
ln -sf busybox "$DIR/bin/cat"
echo "bench: timing console ..." >&2
l0=$(load1)
TIMEIT_LOG=$TMP/log/console
export TIMEIT_LOG
run_bg nice -n "$NICE" "$T" "$CONSOLE_RUNS" 1 \
	script -qfec "$BIN contain $DIR /bin/cat /big" /dev/null :: \
	script -qfec "script -qfec 'cat $DIR/big' /dev/null" /dev/null </dev/null >"$TMP/console.out" 2>"$TMP/log/console.err"
unset TIMEIT_LOG
echo "$l0 $(load1)" >"$TMP/console.load"
# 7. the idle supervisor: CPU ticks over 10 s, and its Pss, with the console
echo "bench: measuring the idle supervisor ..." >&2
l0=$(load1)
ticks() { awk '{ print $14 + $15 }' /proc/$1/stat 2>/dev/null; }
pss() { awk '/^Pss:/ { print $2 }' /proc/$1/smaps_rollup 2>/dev/null; }
start_bg script -qfec "$BIN contain $DIR /bin/sleep 30" /dev/null </dev/null >/dev/null 2>&1
IDLE_SUP=$BGS IDLE_SCRIPT=$BGC
nap 1
IDLE=$(pgrep -P "$IDLE_SCRIPT" -x ucontain | head -n 1)
IDLE_TICKS=- IDLE_PSS=- BWRAP_PSS=-
if [ -n "$IDLE" ]; then
	t0=$(ticks "$IDLE"); nap 10; t1=$(ticks "$IDLE")
	IDLE_TICKS=$((t1 - t0)) IDLE_PSS=$(pss "$IDLE")
fi
stop_bg "$IDLE_SUP"
start_bg $BWRAP /bin/sleep 30 </dev/null >/dev/null 2>&1
nap 1
BWRAP_PSS=$(pss "$BGC")
stop_bg "$BGS"
echo "$l0 $(load1)" >"$TMP/idle.load"

# 3. inject: the target is a running `contain DIR sleep 1000`; if contain does
# not work yet, the floor program's container stands in (same namespaces).
target="" SUP="" INIT=""
for how in contain floor; do
	if [ $how = contain ]; then
		start_bg "$BIN" contain "$DIR" /bin/sleep 1000 </dev/null >/dev/null 2>"$TMP/log/target"
	else
		start_bg "$FLOOR" "$DIR" /bin/sleep 1000 </dev/null >/dev/null 2>"$TMP/log/target"
	fi
	TARGET_SUP=$BGS SUP=$BGC
	i=0
	while [ $i -lt 50 ]; do
		INIT=$(cat /proc/$SUP/task/$SUP/children 2>/dev/null | cut -d' ' -f1)
		[ -n "$INIT" ] && [ -r /proc/$INIT/ns/mnt ] && [ "$(readlink /proc/$INIT/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && break
		INIT=""
		kill -0 $SUP 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	if [ -n "$INIT" ]; then
		target=$how
		break
	fi
	stop_bg "$TARGET_SUP"
	SUP=""
	echo "bench: note: $how as inject target failed: $(head -n 1 "$TMP/log/target")" >>"$TMP/log/notes"
done
NSENTER="nsenter --all --preserve-credentials -t $INIT"
if [ -n "$target" ]; then
	tm inject "" root "$BIN" inject "$INIT" /bin/true :: "$BIN" seal $NSENTER /bin/true :: $NSENTER /bin/true
fi
# 8. system calls per start (strace -f -c: counts, not times), as root;
# inject and nsenter into the same running container
echo "bench: counting system calls ..." >&2
l0=$(load1)
calls() {
	TIMEIT_PARENT= "$T" -s strace -f -c -o "$TMP/strace.out" "$@" </dev/null >/dev/null 2>&1 || { echo -; return; }
	awk '/^100.00/ { print $4 }' "$TMP/strace.out"
}
{
	echo "contain DIR /bin/true|$(calls "$BIN" contain "$DIR" /bin/true)"
	echo "floor_contain DIR /bin/true|$(calls "$FLOOR" "$DIR" /bin/true)"
	echo "bwrap|$(calls $BWRAP /bin/true)"
	if [ -n "$target" ]; then
		echo "inject PID /bin/true|$(calls "$BIN" inject "$INIT" /bin/true)"
		echo "nsenter --all --preserve-credentials|$(calls $NSENTER /bin/true)"
	else
		echo "inject PID /bin/true|-"
		echo "nsenter --all --preserve-credentials|-"
	fi
	echo "pseudo /bin/true|$(calls "$BIN" pseudo /bin/true)"
	echo "unshare --user --map-root-user /bin/true|$(calls unshare --user --map-root-user /bin/true)"
} >"$TMP/syscalls"
echo "$l0 $(load1)" >"$TMP/syscalls.load"
[ -n "$target" ] && stop_bg "$TARGET_SUP"

# 11. the seccomp profile compiler (issue 23): podman's default profile
# compiled by ours (the unit test's loop, ns per compile) against what
# libseccomp costs crun 1.8 for the same profile: crun run of /bin/true
# with and without it, interleaved, the difference of the medians.
PROFILE=/usr/share/containers/seccomp.json SECCOMP_OURS=""
# crun 1.8 refuses a hybrid host whose unified hierarchy has a controller
# ("cgroups in hybrid mode not supported"): it runs where the unified
# mount is detached, in a mount namespace of its own (both sides alike).
CRUN_V1="umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --root $TMP/crun/state run --bundle \"\$1\" \"\$2\""
if [ -r $PROFILE ] && command -v crun >/dev/null 2>&1; then
	SECCOMP_OURS=$(cd "$HERE/.." && cargo test --release --quiet --lib -- --ignored --nocapture compile_time 2>/dev/null |
		sed -n 's/.* \([0-9][0-9]*\) ns per compile.*/\1/p')
	mkdir -p "$TMP/crun/with" "$TMP/crun/without" "$TMP/crun/state"
	(cd "$TMP/crun" && crun spec >/dev/null 2>&1)
	python3 "$HERE/oci_profile.py" $PROFILE "$TMP/crun/config.json" "$DIR" "$TMP/crun/with/config.json" &&
		python3 "$HERE/oci_profile.py" $PROFILE "$TMP/crun/config.json" "$DIR" "$TMP/crun/without/config.json" --no-seccomp &&
		tm crun_sc "" root unshare -m sh -c "$CRUN_V1" sh "$TMP/crun/with" bench-with :: \
			unshare -m sh -c "$CRUN_V1" sh "$TMP/crun/without" bench-without
else
	echo "bench: note: no $PROFILE or no crun: the seccomp compile comparison is left out" >>"$TMP/log/notes"
fi

# 12. list with 100 running containers (issue 24), as root, against
# what a user would otherwise run to find them (pgrep).
LIST_BG=""
i=0
while [ $i -lt 100 ]; do
	"$BIN" contain -c "$DIR" /bin/sleep 1000 </dev/null >/dev/null 2>&1 &
	LIST_BG="$LIST_BG $!"
	i=$((i + 1))
done
i=0
while [ $i -lt 100 ] && [ "$("$BIN" list -q 2>/dev/null | wc -l)" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
LISTED=$("$BIN" list -q 2>/dev/null | wc -l)
tm list_r "" root "$BIN" list :: pgrep -a -f "contain -c $DIR"
kill -TERM $LIST_BG 2>/dev/null
wait $LIST_BG 2>/dev/null

# 10. $PAR containers started at once, as root: the time until all ended
# (last: $PAR processes at once raise the load average for a minute)
tm_with "-p $PAR" "$PAR_RUNS" 1 par "" root "$BIN" contain "$DIR" /bin/true :: "$FLOOR" "$DIR" /bin/true

# ---------------------------------------------------------------- report
hdr pseudo_u "1. pseudo (uid $BUID, subuid range, helpers)"
row pseudo_u 1 "pseudo /bin/true"
row pseudo_u 2 "unshare --user --map-auto --map-root-user" "$(rat pseudo_u 1 2 1.1 pseudo/unshare)"
hdr pseudo_r "1b. pseudo as root (no root range: default map)"
row pseudo_r 1 "pseudo /bin/true"
row pseudo_r 2 "unshare --user --map-root-user /bin/true" "$(rat pseudo_r 1 2 1.1 pseudo/unshare)"
hdr pseudo_rr "1c. pseudo as root (root:200000:65536)"
row pseudo_rr 1 "pseudo /bin/true"
row pseudo_rr 2 "unshare --user --map-root-user /bin/true" "$(rat pseudo_rr 1 2 1.1 pseudo/unshare)"

hdr contain_r "2. contain as root"
row contain_r 1 "contain DIR /bin/true"
row contain_r 2 "floor_contain -S N -P PIDS DIR /bin/true" "$(rat contain_r 1 2 1.25 contain/floor)"
row contain_r 3 "bwrap (see note)" "$(rat contain_r 1 3 0.6 contain/bwrap)"
blank "$(rat contain_r 2 3 "" "floor/bwrap (best reachable)")"
hdr sandbox_r "2a. what the sandbox costs contain (root)"
row sandbox_r 1 "contain DIR /bin/true (filter, pids.max)"
row sandbox_r 2 "contain --seccomp none -L pids.max=max" "$(cost sandbox_r 1 2)"
hdr contain_u "2b. contain as uid $BUID (subuid range, helpers)"
row contain_u 1 "contain DIR /bin/true"
row contain_u 2 "floor_contain DIR /bin/true (helpers)" "$(rat contain_u 1 2 1.25 contain/floor)"
row contain_u 3 "bwrap (see note; maps uid $BUID only)" "$(rat contain_u 1 3 0.6 contain/bwrap)"
blank "$(rat contain_u 2 3 "" "floor/bwrap (best reachable)")"
hdr contain_o "2c. contain as uid $BUID (own ids only, no range)"
row contain_o 1 "contain DIR /bin/true"
row contain_o 2 "floor_contain DIR /bin/true (own ids)" "$(rat contain_o 1 2 1.25 contain/floor)"
row contain_o 3 "bwrap (see note; maps uid $BUID only)" "$(rat contain_o 1 3 0.6 contain/bwrap)"
blank "$(rat contain_o 2 3 "" "floor/bwrap (best reachable)")"

hdr inject "3. inject into a running container, as root"
if [ -n "$target" ]; then
	row inject 1 "inject PID /bin/true"
	row inject 2 "seal nsenter --all --preserve-credentials" "$(rat inject 1 2 1.0 inject/sealed-nsenter)"
	row inject 3 "nsenter --all --preserve-credentials" "$(rat inject 1 3 "" inject/nsenter)"
else
	printf '%-*s %10s %10s %10s  n/a (no container to inject into)\n' $W "inject PID /bin/true" - - -
fi

hdr options_r "5. what contain's options add (root)"
row options_r 1 "contain DIR /bin/true"
row options_r 2 "contain -t /tmp" "$(cost options_r 2 1)"
row options_r 3 "contain -b SRC:/mnt" "$(cost options_r 3 1)"
row options_r 4 "contain -r SRC:/mnt" "$(cost options_r 4 1)"
row options_r 5 "contain -v" "$(cost options_r 5 1)"
row options_r 6 "contain -N NAME (a named record)" "$(cost options_r 6 1)"
row options_r 7 "contain --veth -N NAME (rtnetlink pair)" "$(cost options_r 7 1)"
hdr cgroup_u "5b. what the delegated cgroup adds (uid $BUID)"
if [ -n "$CG_OWN" ]; then
	row cgroup_u 1 "contain, from a cgroup uid $BUID does not own"
	row cgroup_u 2 "contain, from a cgroup uid $BUID owns" "$(cost cgroup_u 2 1)"
else
	printf '%-*s %10s %10s %10s  n/a (%s)\n' $W "contain from an owned cgroup" - - - "$CG_WHY"
fi

hdr console "6. console: 100 MB of output ($CONSOLE_RUNS runs)"
row console 1 "contain's console, under script"
row console 2 "script inside script" "$(rat console 1 2 1.0 contain/script)"
blank "$(awk '$1 == "ok" { s = s (s == "" ? "" : ", ") sprintf("%.0f", 100e6 / $2) } END { print "throughput (MB/s): contain " s " (script)" }' "$TMP/console.out" | sed 's/, / against /')"

echo
l=$(awk '{ print ($1 == $2 ? $1 : $1 " -> " $2) }' "$TMP/idle.load")
echo "7. the idle supervisor with the console (load $l): $IDLE_TICKS CPU ticks in 10 s (goal 0);"
echo "   Pss $IDLE_PSS kB (goal <= 64) against bwrap's $BWRAP_PSS kB: $(awk -v a="$IDLE_PSS" -v b="$BWRAP_PSS" 'BEGIN { print (a + 0 > 0 && b + 0 > 0) ? sprintf("contain/bwrap = %.2f", a / b) : "contain/bwrap = n/a" }')"

l=$(awk '{ print ($1 == $2 ? $1 : $1 " -> " $2) }' "$TMP/syscalls.load")
printf '\n%-*s %10s  %-6s (load %s)\n' $W "8. system calls per start (strace -f -c)" calls ratio "$l"
awk -F'|' -v w=$W '
	{ n[NR] = $1; c[NR] = $2 }
	function r(i, j, label) { return (c[i] + 0 > 0 && c[j] + 0 > 0) ? sprintf("%s = %.2f", label, c[i] / c[j]) : label " = n/a" }
	END {
		x[1] = ""; x[2] = r(1, 2, "contain/floor"); x[3] = r(1, 3, "contain/bwrap")
		x[4] = ""; x[5] = r(4, 5, "inject/nsenter"); x[6] = ""; x[7] = r(6, 7, "pseudo/unshare")
		for (i = 1; i <= NR; i++) printf "%-*s %10s  %s\n", w, n[i], c[i], x[i]
	}' "$TMP/syscalls"

if [ -s "$TMP/crun_sc.out" ]; then
	hdr crun_sc "11. podman's default seccomp profile (472 names, three ABIs)"
	row crun_sc 1 "crun run /bin/true, with it"
	row crun_sc 2 "crun run /bin/true, without it" "$(cost crun_sc 1 2)"
	blank "ucontain's compiler: ${SECCOMP_OURS:-?} ns per compile (goal: under 1 ms, and a small"
	blank "  fraction of what libseccomp adds to crun's start above)"
fi
hdr list_r "12. list with $LISTED containers running (root)"
row list_r 1 "list"
row list_r 2 "pgrep -a -f 'contain -c DIR'" "$(rat list_r 1 2 "" list/pgrep)"
hdr subid_r "9. 100k-line /etc/subuid and subgid, as root"
row subid_r 1 "contain DIR /bin/true, one-line files"
row subid_r 2 "contain, 100k lines (root's last)" "$(rat subid_r 2 1 2.5 "contain 100k/one-line")"
row subid_r 3 "pseudo /bin/true, one-line files"
row subid_r 4 "pseudo, 100k lines (root's last)" "$(rat subid_r 4 3 "" "pseudo 100k/one-line")"
hdr subid_u "9b. 100k-line subid files, uid $BUID (helpers)"
row subid_u 1 "contain DIR /bin/true, one-line files"
row subid_u 2 "contain, 100k lines (uid $BUID's last)" "$(rat subid_u 2 1 "" "contain 100k/one-line")"
row subid_u 3 "pseudo /bin/true, one-line files"
row subid_u 4 "pseudo, 100k lines (uid $BUID's last)" "$(rat subid_u 4 3 "" "pseudo 100k/one-line")"
row subid_u 5 "unshare --map-auto --map-root-user, one-line"
row subid_u 6 "unshare --map-auto ..., 100k lines" "$(rat subid_u 6 5 "" "unshare 100k/one-line")"
blank "$(rat subid_u 4 6 1.1 "pseudo/unshare (100k lines)")"
blank "$(rat subid_u 2 6 "" "contain/unshare (100k lines)")"

l=$(awk '{ print ($1 == $2 ? $1 : $1 " -> " $2) }' "$TMP/par.load")
printf '\n%-*s %10s %10s %10s  %-6s (load %s)\n' $W "10. $PAR containers at once, as root ($PAR_RUNS rounds)" starts/s median_ms p90_ms ratio "$l"
# parrow N LABEL [M]: result N of par as starts per second, with the rate
# ratio against result M
parrow() {
	awk -v l="$(sed -n "${1}p" "$TMP/par.out")" -v o="$([ -n "${3:-}" ] && sed -n "${3}p" "$TMP/par.out")" \
		-v label="$2" -v w=$W -v n=$PAR -v r=$PAR_RUNS \
		-v why="$(cat "$TMP/log/par.$(($1 - 1))" "$TMP/log/par.$(($1 - 1)).par" 2>/dev/null | grep -v '^$' | head -n 1)" 'BEGIN {
		split(l, x, " "); split(o, y, " ")
		if (x[1] != "ok") { printf "%-*s %10s %10s %10s  n/a (check run failed%s)\n", w, label, "-", "-", "-", why == "" ? "" : ": " why; exit }
		s = sprintf("%d of %d failed%s", x[5], n * r, x[5] > 0 ? " (MISSED: goal 0): " why : "")
		if (y[1] == "ok") s = sprintf("rate contain/floor = %.2f, p90 %.2f, by min %.2f; ", y[2] / x[2], y[3] / x[3], y[4] / x[4]) s
		printf "%-*s %10.0f %10.1f %10.1f  %s\n", w, label, n / (x[2] / 1e6), x[2] / 1e3, x[3] / 1e3, s }'
}
parrow 2 "$PAR x floor_contain DIR /bin/true"
parrow 1 "$PAR x contain DIR /bin/true" 2

hdr start "4. startup"
row start 1 "ucontain --version"
row start 2 "/bin/true (dynamic, glibc)" "$(rat start 1 2 "" ucontain/true)"

echo
echo "notes:"
echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (ratios compare interleaved runs; absolute times are not comparable between sections)"
echo "  (load A -> B) beside a table: the 1-minute load average when its measurement started and ended"
# The busiest load seen before case 10, which raises it itself.
for f in "$TMP"/*.load; do [ "$f" = "$TMP/par.load" ] || cat "$f"; done | awk -v n="$(nproc)" '
	{ for (i = 1; i <= NF; i++) if ($i + 0 > m + 0) m = $i }
	END { if (m + 0 > n / 2) print "  WARNING: the machine was busy (load up to " m " on " n " CPUs before case 10): medians include waiting\n    for a CPU; the \"by min\" ratios are the steadier figures, rerun on an idle machine for the goals" }'
echo "  case 10 itself raises the load: $PAR processes at once"
echo "  DIR = a minimal rootfs: static busybox as bin/busybox, bin/true -> busybox, empty proc/ and dev/"
echo "  bwrap = $BWRAP /bin/true" | sed "s|$DIR|DIR|g"
echo "  floor_contain = bench/floor_contain.c: clone3 (user mnt pid net ipc uts cgroup time), maps written by"
echo "    the parent (root: SPEC default map; uid $BUID: newuidmap/newgidmap, or with no range only its own"
echo "    ids, written directly after denying setgroups), mounts, pivot_root, execve; -S N installs a"
echo "    seccomp program of N=$FILTER_LEN instructions (contain's built-in filter's length), -P writes"
echo "    pids.max 16384 in a new group of ${PIDS_CG:-(no pids hierarchy)} (contain's default limit)"
echo "  uid_map inside, as uid $BUID (subuid range, helpers):"
echo "$MAPS" | sed 's/^/    /'
echo "  uid_map inside, as uid $BUID with no line in /etc/subuid and /etc/subgid (2c):"
echo "$MAPS_OWN" | sed 's/^/    /'
echo "  uid_map inside with the 100k-line files (9, 9b):"
echo "$MAPS_100K" | sed 's/^/    /'
echo "  uid_map inside, as root:"
echo "$MAPS_ROOT" | sed 's/^/    /'
echo "  100k-line files: 99,999 lines 'uN:START:65536' of other owners, then the caller's own line"
if [ -n "$CG_OWN" ]; then
	echo "  5b: the timed process moves itself (before becoming uid $BUID) into uid$BUID/ (owned by uid $BUID: the"
	echo "    directory, cgroup.procs, cgroup.threads, cgroup.subtree_control or tasks) or root-owned/ of each of"
	echo "    $CG_LIST(the bench's cgroups);"
	echo "    not owned, contain said: $(grep -v '^$' "$TMP/log/cgroup_u.0" 2>/dev/null | head -n 1 | sed "s|$TMP|TMP|g")"
	echo "    owned, contain said: $(grep -v '^$' "$TMP/log/cgroup_u.1" 2>/dev/null | head -n 1 | grep . || echo nothing)"
	echo "    a container started from the owned one had: ${CG_SEEN:-no ucontain-* cgroup seen (MISSED)}"
else
	echo "  5b: no cgroup of the bench's own: $CG_WHY"
fi
echo "  10: all $PAR copies forked first, released together by closing a pipe; timed from the release to the last exit"
[ -n "$target" ] && echo "  inject target: PID = host pid of the init of a running '$target DIR /bin/sleep 1000'"
[ "$target" = floor ] && echo "  (contain could not start a container, so the floor program's container was the inject target)"
[ -f "$TMP/log/notes" ] && sed 's/^bench: note: /  /' "$TMP/log/notes"
exit 0
