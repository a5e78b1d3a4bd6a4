#!/bin/sh
# build-check.sh MAKE BIN REDUCED: make check's tests of the build itself
# (SPEC §1, §2). MAKE is the make to call, BIN the full build, REDUCED
# where `make APPLETS="contain inject" TARGET_DIR=...` puts its binary.
set -u
make=$1 bin=$2 reduced=$3
case $reduced in /*) ;; *) reduced=$PWD/$reduced ;; esac
tmp=$(mktemp -d /tmp/ucontain-build-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed() { echo "build-check: $*" >&2; exit 1; }

# run NAME ARGV0 ARG...: runs the binary NAME as ARGV0 (through a symlink
# of that name); sets out, err, status.
run() {
  target=$1 name=$2; shift 2
  mkdir -p "$tmp/links"; ln -sf "$target" "$tmp/links/$name"
  "$tmp/links/$name" "$@" >"$tmp/out" 2>"$tmp/err"; status=$?
  out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
}
# expect WHAT STATUS OUT ERR: the last run gave exactly these.
expect() {
  [ "$status" = "$2" ] && [ "$out" = "$3" ] && [ "$err" = "$4" ] ||
    failed "$1: status $status, stdout [$out], stderr [$err]; expected $2, [$3], [$4]"
}

echo "build-check: a build over its budget fails, saying so"
if log=$($make -s --no-print-directory build FULL_BUDGET=1000 2>&1); then
  failed "make FULL_BUDGET=1000 passed: $log"
fi
echo "$log" | grep -qx "$bin is over its budget of 1000 bytes" || failed "make FULL_BUDGET=1000 failed without saying why: $log"

echo "build-check: make classic (no profile compiler) fits its budget and says what --seccomp FILE needs"
$make -s --no-print-directory classic >"$tmp/log" 2>&1 || failed "make classic failed: $(cat "$tmp/log")"
classic=$PWD/target/classic/${bin#*target/}
[ -x "$classic" ] || failed "make classic did not build $classic"
mkdir -p "$tmp/root"
run "$classic" contain --seccomp /nonexistent.json "$tmp/root" /bin/true
[ "$status" = 64 ] && [ "$(head -n1 "$tmp/err")" = "contain: --seccomp FILE needs the full build (with the profile compiler): --seccomp none, or the built-in filter" ] ||
  failed "classic contain --seccomp FILE: status $status, stderr [$err]"

echo "build-check: make APPLETS=\"contain inject\""
target_dir=${reduced%/*/release/ucontain}
$make -s --no-print-directory build APPLETS="contain inject" TARGET_DIR="$target_dir" >"$tmp/log" 2>&1 ||
  failed "make APPLETS=\"contain inject\" failed: $(cat "$tmp/log")"
[ -x "$reduced" ] || failed "make APPLETS=\"contain inject\" did not build $reduced"
for how in ucontain seal; do
  if [ $how = ucontain ]; then run "$reduced" ucontain seal /bin/true; else run "$reduced" seal /bin/true; fi
  expect "seal as $how, not built in" 127 "" "ucontain: seal: not in this build"
done
run "$reduced" ucontain nosuch
[ "$status" = 64 ] && [ "$(head -n1 "$tmp/err")" = "ucontain: nosuch: unknown applet" ] ||
  failed "an unknown applet: status $status, stderr [$err]"
run "$reduced" ucontain --help
[ "$status" = 0 ] || failed "--help: status $status"
listed=$(grep '^  [a-z]' "$tmp/out" | cut -d' ' -f3 | tr '\n' ' ')
[ "$listed" = "contain inject " ] || failed "--help lists [$listed], not the applets of this build: $out"
for applet in contain inject; do
  run "$reduced" $applet --help
  case $status:$(head -n1 "$tmp/out") in
    "0:Usage: $applet "*) ;;
    *) failed "$applet --help in the reduced build: status $status, stdout [$out]" ;;
  esac
done
# inject runs: asked for a process that does not exist, it says so.
run "$reduced" inject 2147483647 /bin/true
expect "inject in the reduced build" 1 "" "inject: no process 2147483647: No such process"

echo "build-check: make install, then make uninstall, leaves nothing"
dest=$tmp/dest
$make -s --no-print-directory install DESTDIR="$dest" PREFIX=/usr >"$tmp/log" 2>&1 || failed "make install failed: $(cat "$tmp/log")"
for applet in contain inject isolate oci pivot pseudo seal; do
  [ "$(readlink "$dest/usr/bin/$applet")" = ucontain ] || failed "make install made no link $applet"
  [ "$(readlink "$dest/usr/share/man/man1/$applet.1")" = ucontain.1 ] || failed "make install made no man page $applet.1"
done
[ "$(readlink "$dest/usr/bin/ucontain-oci")" = ucontain ] || failed "make install made no link ucontain-oci"
[ -x "$dest/usr/bin/ucontain" ] && [ -f "$dest/usr/share/man/man1/ucontain.1" ] || failed "make install made no binary or man page"
# Not ours: uninstall leaves it.
ln -s /bin/true "$dest/usr/bin/other"
$make -s --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr >"$tmp/log" 2>&1 || failed "make uninstall failed: $(cat "$tmp/log")"
left=$(cd "$dest" && find . ! -type d | sort | tr '\n' ' ')
[ "$left" = "./usr/bin/other " ] || failed "make uninstall left [$left]"
echo "build-check: passed"
