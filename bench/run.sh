#!/bin/sh
# make bench: ucontain against the tools it replaces, as ratios of medians.
#
#   sh bench/run.sh /abs/path/to/ucontain      (as root; `make bench` does it)
#
# Environment: BENCH_RUNS (timed runs per command, default 300),
# BENCH_WARMUP (untimed runs first, default 10), BENCH_NICE (niceness of
# the timed commands, default -20, so a busy machine disturbs them less).
#
# Every case is timed by bench/timeit.c (fork+exec, CLOCK_MONOTONIC, median
# and p90); the commands of one comparison run interleaved, so load from
# elsewhere on the machine hits them alike.  Unprivileged cases run as uid
# 4000 with a subuid/subgid range, inside a private mount namespace where
# the bench's own passwd/subuid/subgid are bound over /etc's (the machine's
# /etc is never edited).  Everything is made under one temp dir, removed at
# the end with every background process the bench started.
set -u

die() { echo "bench: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: sh bench/run.sh /abs/path/to/ucontain"
SRC_BIN=$1
RUNS=${BENCH_RUNS:-300}
WARM=${BENCH_WARMUP:-10}
NICE=${BENCH_NICE:--20}
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
SUP="" INIT=""
cleanup() {
	[ -n "$INIT" ] && kill -KILL "$INIT" 2>/dev/null
	if [ -n "$SUP" ]; then
		kill -TERM "$SUP" 2>/dev/null
		wait "$SUP" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

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

DIR=$TMP/root
cp "$BUSYBOX" "$DIR/bin/busybox" || die "cannot copy $BUSYBOX"
ln -s busybox "$DIR/bin/true"
ln -s busybox "$DIR/bin/sleep"
chmod -R a+rX "$DIR"

{ grep -v "^[^:]*:[^:]*:$BUID:" /etc/passwd
  echo "ucbench:x:$BUID:$BUID:ucontain bench:/nonexistent:/usr/sbin/nologin"; } >"$TMP/etc/passwd"
echo "ucbench:100000:65536" >"$TMP/etc/subuid"
echo "ucbench:100000:65536" >"$TMP/etc/subgid"
printf 'root:200000:65536\nucbench:100000:65536\n' >"$TMP/etc/subuid.root"
cp "$TMP/etc/subuid.root" "$TMP/etc/subgid.root"
chmod 644 "$TMP/etc/"*

# in_ns VARIANT WHO CMD...: run CMD in a private mount namespace with the
# bench's /etc/passwd and /etc/sub[ug]id$VARIANT, as WHO (root or uid 4000).
in_ns() {
	nice -n "$NICE" unshare --mount --propagation private sh -c '
		e=$1 v=$2 who=$3; shift 3
		mount --bind "$e/passwd" /etc/passwd &&
		mount --bind "$e/subuid$v" /etc/subuid &&
		mount --bind "$e/subgid$v" /etc/subgid || exit 1
		[ "$who" = root ] && exec "$@"
		exec setpriv --reuid "$who" --regid "$who" --clear-groups "$@"
	' sh "$TMP/etc" "$@" || true
}
# uidmap VARIANT WHO CMD...: the uid_map CMD (a reader of its argument)
# sees, on one line, so the notes show every case did the same job.
uidmap() {
	in_ns "$@" /proc/self/uid_map 2>&1 | awk '
		$1 ~ /^[0-9]+$/ { m = m (m == "" ? "" : ", ") $1 " " $2 " " $3; next }
		{ if (e == "") e = $0 }
		END { print (m != "" ? m : "failed: " e) }'
}
MAPS="pseudo: $(uidmap "" $BUID "$BIN" pseudo cat)
unshare --map-auto --map-root-user: $(uidmap "" $BUID unshare --user --map-auto --map-root-user cat)
contain: $(uidmap "" $BUID "$BIN" contain "$DIR" /bin/busybox cat)
floor_contain: $(uidmap "" $BUID "$FLOOR" -U "0 $BUID 1 1 100000 65536" -G "0 $BUID 1 1 100000 65536" "$DIR" /bin/busybox cat)"
MAPS_ROOT="pseudo: $(uidmap "" root "$BIN" pseudo cat)
pseudo with root:200000:65536: $(uidmap .root root "$BIN" pseudo cat)
unshare --map-root-user: $(uidmap "" root unshare --user --map-root-user cat)
contain: $(uidmap "" root "$BIN" contain "$DIR" /bin/busybox cat)
floor_contain: $(uidmap "" root "$FLOOR" "$DIR" /bin/busybox cat)"

# ---------------------------------------------------------------- timing
# tm NAME VARIANT WHO CMD... [:: CMD...]...: time the commands interleaved;
# results in $TMP/NAME.out (one line each), check-run stderr in
# $TMP/log/NAME.N.
tm() {
	name=$1 v=$2 who=$3
	shift 3
	echo "bench: timing $name ..." >&2
	TIMEIT_LOG=$TMP/log/$name
	export TIMEIT_LOG
	in_ns "$v" "$who" "$T" "$RUNS" "$WARM" "$@" >"$TMP/$name.out" 2>"$TMP/log/$name.err"
	[ -s "$TMP/$name.out" ] || die "timing $name failed: $(cat "$TMP/log/$name.err")"
}

W=46
hdr() { printf '\n%-*s %10s %10s %10s  %s\n' $W "$1" median_us p90_us min_us ratio; }
blank() { printf '%-*s %10s %10s %10s  %s\n' $W "" "" "" "" "$1"; }
# row NAME N LABEL [RATIO-TEXT]: print result N of NAME
row() {
	line=$(sed -n "${2}p" "$TMP/$1.out")
	set -- "$1" "$2" "$3" "${4:-}" $line
	case $5 in
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
# rat NAME I J GOAL LABEL: "LABEL = x.xx (goal <= GOAL: met|MISSED), by min
# y.yy", from results I and J of NAME (medians; the min ratio is the one
# least disturbed by other load), or "LABEL = n/a"
rat() {
	a=$(sed -n "${2}p" "$TMP/$1.out") b=$(sed -n "${3}p" "$TMP/$1.out")
	awk -v a="$a" -v b="$b" -v g="$4" -v n="$5" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		if (x[1] != "ok" || y[1] != "ok") { print n " = n/a"; exit }
		r = x[2] / y[2]; s = sprintf("%s = %.2f", n, r)
		if (g != "") s = s sprintf(" (goal <= %s: %s)", g, r <= g + 1e-9 ? "met" : "MISSED")
		print s sprintf(", by min %.2f", x[4] / y[4]) }'
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
# 2. contain
BWRAP="bwrap --unshare-all --bind $DIR / --proc /proc --dev /dev /bin/true"
tm contain_r "" root "$BIN" contain "$DIR" /bin/true :: "$FLOOR" "$DIR" /bin/true :: $BWRAP
tm contain_u "" $BUID "$BIN" contain "$DIR" /bin/true :: \
	"$FLOOR" -U "0 $BUID 1 1 100000 65536" -G "0 $BUID 1 1 100000 65536" "$DIR" /bin/true :: $BWRAP

# 5. what each contain option adds (root)
mkdir -p "$TMP/share" "$DIR/mnt" "$DIR/tmp" && chmod 755 "$TMP/share"
tm options_r "" root "$BIN" contain "$DIR" /bin/true :: "$BIN" contain -t /tmp "$DIR" /bin/true :: \
	"$BIN" contain -b "$TMP/share:/mnt" "$DIR" /bin/true :: "$BIN" contain -r "$TMP/share:/mnt" "$DIR" /bin/true :: \
	"$BIN" contain -v "$DIR" /bin/true
# 6. the console: 100 MB through contain's relay against util-linux script's,
# each under an outer script that gives it a terminal
command -v script >/dev/null 2>&1 || die "script (bsdutils) is needed for the console bench"
head -c 100000000 /dev/zero | tr '\0' 'x' | fold -w 99 >"$DIR/big" || die "cannot write $DIR/big"
ln -sf busybox "$DIR/bin/cat"
CONSOLE_RUNS=${BENCH_CONSOLE_RUNS:-7}
echo "bench: timing console ..." >&2
TIMEIT_LOG=$TMP/log/console nice -n "$NICE" "$T" "$CONSOLE_RUNS" 1 \
	script -qfec "$BIN contain $DIR /bin/cat /big" /dev/null :: \
	script -qfec "script -qfec 'cat $DIR/big' /dev/null" /dev/null </dev/null >"$TMP/console.out" 2>"$TMP/log/console.err"
# 7. the idle supervisor: CPU ticks over 10 s, and its Pss, with the console
ticks() { awk '{ print $14 + $15 }' /proc/$1/stat 2>/dev/null; }
pss() { awk '/^Pss:/ { print $2 }' /proc/$1/smaps_rollup 2>/dev/null; }
script -qfec "$BIN contain $DIR /bin/sleep 30" /dev/null </dev/null >/dev/null 2>&1 &
IDLE_SCRIPT=$!
sleep 1
IDLE=$(pgrep -P "$IDLE_SCRIPT" -x ucontain | head -n 1)
IDLE_TICKS=- IDLE_PSS=- BWRAP_PSS=-
if [ -n "$IDLE" ]; then
	t0=$(ticks "$IDLE"); sleep 10; t1=$(ticks "$IDLE")
	IDLE_TICKS=$((t1 - t0)) IDLE_PSS=$(pss "$IDLE")
fi
kill -TERM "$IDLE" 2>/dev/null; wait "$IDLE_SCRIPT" 2>/dev/null
bwrap --unshare-all --bind "$DIR" / --proc /proc --dev /dev /bin/sleep 30 </dev/null >/dev/null 2>&1 &
BW=$!
sleep 1
BWRAP_PSS=$(pss "$BW")
kill -KILL "$BW" 2>/dev/null; wait "$BW" 2>/dev/null
# 8. system calls per start (strace -f -c: counts, not times)
SYSCALLS=""
if command -v strace >/dev/null 2>&1 || { apt-get install -y -qq strace >/dev/null 2>&1 && command -v strace >/dev/null; }; then
	calls() { strace -f -c -o "$TMP/strace.out" "$@" </dev/null >/dev/null 2>&1; awk '/^100.00/ { print $4 }' "$TMP/strace.out"; }
	SYSCALLS="contain $(calls "$BIN" contain "$DIR" /bin/true), floor $(calls "$FLOOR" "$DIR" /bin/true), bwrap $(calls $BWRAP), pseudo $(calls "$BIN" pseudo /bin/true), unshare $(calls unshare --user --map-root-user /bin/true)"
fi

# 3. inject: the target is a running `contain DIR sleep 1000`; if contain does
# not work yet, the floor program's container stands in (same namespaces).
target=""
for how in contain floor; do
	if [ $how = contain ]; then
		"$BIN" contain "$DIR" /bin/sleep 1000 </dev/null >/dev/null 2>"$TMP/log/target" &
	else
		"$FLOOR" "$DIR" /bin/sleep 1000 </dev/null >/dev/null 2>"$TMP/log/target" &
	fi
	SUP=$!
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
	kill -KILL $SUP 2>/dev/null
	wait $SUP 2>/dev/null
	SUP=""
	echo "bench: note: $how as inject target failed: $(head -n 1 "$TMP/log/target")" >>"$TMP/log/notes"
done
if [ -n "$target" ]; then
	tm inject "" root "$BIN" inject "$INIT" /bin/true :: \
		"$BIN" seal nsenter --all --preserve-credentials -t "$INIT" /bin/true :: \
		nsenter --all --preserve-credentials -t "$INIT" /bin/true
	kill -KILL "$INIT" 2>/dev/null
	INIT=""
	wait "$SUP" 2>/dev/null
	SUP=""
fi

# ---------------------------------------------------------------- report
hdr "1. pseudo (uid $BUID, subuid range, helpers)"
row pseudo_u 1 "pseudo /bin/true"
row pseudo_u 2 "unshare --user --map-auto --map-root-user" "$(rat pseudo_u 1 2 1.1 pseudo/unshare)"
hdr "1b. pseudo as root (no root range: default map)"
row pseudo_r 1 "pseudo /bin/true"
row pseudo_r 2 "unshare --user --map-root-user /bin/true" "$(rat pseudo_r 1 2 1.1 pseudo/unshare)"
hdr "1c. pseudo as root (root:200000:65536)"
row pseudo_rr 1 "pseudo /bin/true"
row pseudo_rr 2 "unshare --user --map-root-user /bin/true" "$(rat pseudo_rr 1 2 1.1 pseudo/unshare)"

hdr "2. contain as root"
row contain_r 1 "contain DIR /bin/true"
row contain_r 2 "floor_contain DIR /bin/true" "$(rat contain_r 1 2 1.25 contain/floor)"
row contain_r 3 "bwrap (see note)" "$(rat contain_r 1 3 0.6 contain/bwrap)"
blank "$(rat contain_r 2 3 "" "floor/bwrap (best reachable)")"
hdr "2b. contain as uid $BUID (subuid range, helpers)"
row contain_u 1 "contain DIR /bin/true"
row contain_u 2 "floor_contain DIR /bin/true (helpers)" "$(rat contain_u 1 2 1.25 contain/floor)"
row contain_u 3 "bwrap (see note; maps uid $BUID only)" "$(rat contain_u 1 3 0.6 contain/bwrap)"
blank "$(rat contain_u 2 3 "" "floor/bwrap (best reachable)")"

hdr "3. inject into a running container, as root"
if [ -n "$target" ]; then
	row inject 1 "inject PID /bin/true"
	row inject 2 "seal nsenter --all --preserve-credentials" "$(rat inject 1 2 1.0 inject/sealed-nsenter)"
	row inject 3 "nsenter --all --preserve-credentials" "$(rat inject 1 3 "" inject/nsenter)"
else
	printf '%-*s %10s %10s %10s  n/a (no container to inject into)\n' $W "inject PID /bin/true" - - -
fi

hdr "5. what contain's options add (root)"
row options_r 1 "contain DIR /bin/true"
row options_r 2 "contain -t /tmp" "$(rat options_r 2 1 "" vs-plain)"
row options_r 3 "contain -b SRC:/mnt" "$(rat options_r 3 1 "" vs-plain)"
row options_r 4 "contain -r SRC:/mnt" "$(rat options_r 4 1 "" vs-plain)"
row options_r 5 "contain -v" "$(rat options_r 5 1 "" vs-plain)"

hdr "6. console: 100 MB of output ($CONSOLE_RUNS runs)"
row console 1 "contain's console, under script"
row console 2 "script inside script" "$(rat console 1 2 1.0 contain/script)"

echo
echo "7. the idle supervisor with the console: $IDLE_TICKS CPU ticks in 10 s (goal 0); Pss $IDLE_PSS kB (bwrap: $BWRAP_PSS kB; goal <= 64)"
[ -n "$SYSCALLS" ] && echo "8. system calls per start: $SYSCALLS"

hdr "4. startup"
row start 1 "ucontain --version"
row start 2 "/bin/true (dynamic, glibc)" "$(rat start 1 2 "" ucontain/true)"

echo
echo "notes:"
echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (ratios compare interleaved runs; absolute times are not comparable between sections)"
awk -v n="$(nproc)" '$1 > n / 2 { print "  WARNING: the machine was busy (load " $1 " on " n " CPUs): medians include waiting for a CPU;\n    the \"by min\" ratios are the steadier figures, rerun on an idle machine for the goals" }' /proc/loadavg
echo "  DIR = a minimal rootfs: static busybox as bin/busybox, bin/true -> busybox, empty proc/ and dev/"
echo "  bwrap = $BWRAP" | sed "s|$DIR|DIR|g"
echo "  floor_contain = bench/floor_contain.c: clone3 (user mnt pid net ipc uts cgroup time), maps written by"
echo "    the parent (root: SPEC default map; uid $BUID: newuidmap/newgidmap), mounts, pivot_root, execve"
echo "  uid_map inside, as uid $BUID:"
echo "$MAPS" | sed 's/^/    /'
echo "  uid_map inside, as root:"
echo "$MAPS_ROOT" | sed 's/^/    /'
[ -n "$target" ] && echo "  inject target: PID = host pid of the init of a running '$target DIR /bin/sleep 1000'"
[ "$target" = floor ] && echo "  (contain could not start a container, so the floor program's container was the inject target)"
[ -f "$TMP/log/notes" ] && sed 's/^bench: note: /  /' "$TMP/log/notes"
exit 0
