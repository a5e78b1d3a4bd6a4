"""Fetch, with a cache, the Debian packages the virtual-machine matrix needs.

A private apt configuration (its own sources list, lists, cache and empty
status under the cache directory) is used, so the machine's /etc/apt is
never read for sources nor changed.  Foreign packages are only downloaded
and unpacked with dpkg-deb -x; nothing is installed.
"""

import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

CACHE = os.path.join(os.environ.get("UCONTAIN_CACHE") or os.path.expanduser("~/.cache/ucontain"), "vm")
APT = os.path.join(CACHE, "apt")
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
SOURCES = f"""\
deb [arch=amd64,arm64,armhf,riscv64 signed-by={KEYRING}] http://deb.debian.org/debian trixie main
deb [arch=amd64,arm64,armhf signed-by={KEYRING}] http://deb.debian.org/debian bookworm main
deb [arch=amd64,arm64,armhf signed-by={KEYRING}] http://deb.debian.org/debian-security bookworm-security main
deb [arch=amd64,arm64 signed-by={KEYRING}] http://deb.debian.org/debian bullseye main
deb [arch=amd64,arm64 signed-by={KEYRING}] http://deb.debian.org/debian-security bullseye-security main
"""
USER_SUITE = "trixie"


class FetchError(Exception):
    pass


def log(msg):
    print(f"vm: {msg}", file=sys.stderr, flush=True)


def apt_options():
    return [
        "-o", f"Dir::Etc::SourceList={APT}/sources.list",
        "-o", f"Dir::Etc::SourceParts={APT}/parts",
        "-o", f"Dir::Etc::PreferencesParts={APT}/prefs",
        "-o", f"Dir::Etc::Preferences={APT}/prefs/none",
        "-o", f"Dir::State={APT}",
        "-o", f"Dir::State::Lists={APT}/lists",
        "-o", f"Dir::State::status={APT}/status",
        "-o", f"Dir::Cache={APT}/cache",
        "-o", "APT::Architecture=amd64",
        "-o", "APT::Architectures=amd64,arm64,armhf,riscv64",
        "-o", "Acquire::Retries=3",
        "-o", "Acquire::Languages=none",
        "-o", "APT::Sandbox::User=root",
        "-o", "Debug::NoLocking=1",
    ]


_updated = False
# tests/vm/run.py boots two machines at a time: their fetches share one apt
# directory, and apt's own locks are off (Debug::NoLocking, as it is not
# the machine's apt), so every apt-get and apt-cache call takes this lock.
# Without it two updates race on lists/partial and both lists break.
_apt_lock = threading.RLock()


# Two boots of one architecture want the same user tree (and two kernels
# of a series the same cache entry): one thread builds it, the other waits
# and finds it done. Without this both filled one .part directory, and the
# second saw no new .deb where the first had put it.
_dest_locks = {}
_dest_locks_lock = threading.Lock()


def one_builder(fetch):
    def locked(*args):
        with _dest_locks_lock:
            lock = _dest_locks.setdefault((fetch.__name__,) + args, threading.Lock())
        with lock:
            return fetch(*args)
    locked.__name__ = fetch.__name__
    locked.__doc__ = fetch.__doc__
    return locked


def apt_update():
    with _apt_lock:
        _apt_update()


def _apt_update():
    global _updated
    if _updated:
        return
    for d in ("lists/partial", "cache/archives/partial", "parts", "prefs"):
        os.makedirs(os.path.join(APT, d), exist_ok=True)
    with open(os.path.join(APT, "sources.list"), "w") as f:
        f.write(SOURCES)
    open(os.path.join(APT, "status"), "w").close()
    log("apt-get update (private lists under %s)" % APT)
    for attempt in range(3):
        r = subprocess.run(["apt-get", "-qq"] + apt_options() + ["update"], capture_output=True, text=True)
        if r.returncode == 0 and "E:" not in r.stderr:
            break
        log(f"apt-get update failed (try {attempt + 1}): {r.stderr.strip()[-400:]}")
    else:
        raise FetchError("apt-get update of the private lists failed")
    _updated = True


def apt_cache(*args):
    with _apt_lock:
        apt_update()
        r = subprocess.run(["apt-cache"] + apt_options() + list(args), capture_output=True, text=True)
    return r.stdout


def download(spec, into, quiet=False):
    """apt-get download SPEC into directory INTO (apt retries each file); the .deb path.
    QUIET: no line per failed try (the caller says what it does instead)."""
    apt_update()
    os.makedirs(into, exist_ok=True)
    before = set(os.listdir(into))
    for attempt in range(2):
        with _apt_lock:
            r = subprocess.run(["apt-get", "-qq"] + apt_options() + ["download", spec], cwd=into,
                               capture_output=True, text=True)
        new = [f for f in set(os.listdir(into)) - before if f.endswith(".deb")]
        if r.returncode == 0 and new:
            return os.path.join(into, new[0])
        if not quiet:
            log(f"download of {spec} failed (try {attempt + 1}): {(r.stderr or r.stdout).strip()[-300:]}")
    raise FetchError(f"cannot download package {spec}")


KERNEL_PATTERNS = {
    "5.10": r"linux-image-5\.10\.0-([0-9]+)-{flavour}",
    "6.1": r"linux-image-6\.1\.0-([0-9]+)-{flavour}",
    "6.12": r"linux-image-6\.12\.([0-9]+)\+deb13-{flavour}",
}


def kernel_candidates(series, flavour, deb_arch):
    """Package names of SERIES for FLAVOUR, newest first."""
    if series not in KERNEL_PATTERNS:  # an exact ABI, e.g. 5.10.0-32
        return [f"linux-image-{series}-{flavour}"]
    pat = re.compile("^" + KERNEL_PATTERNS[series].format(flavour=re.escape(flavour)) + "$")
    names = {}
    for line in apt_cache("search", "--names-only", pat.pattern).splitlines():
        name = line.split(" - ")[0].strip()
        m = pat.match(name)
        if m:
            names[name] = int(m.group(1))
    found = sorted(names, key=names.get, reverse=True)
    if not found:
        raise FetchError(f"no package linux-image-{series}-*-{flavour} for {deb_arch} in the lists")
    return found


@one_builder
def fetch_kernel(arch, deb_arch, flavour, series):
    """The cached directory holding vmlinuz, the overlay module and the package name."""
    dest = os.path.join(CACHE, "kernels", f"{arch}-{series}")
    if os.path.exists(os.path.join(dest, "package")):
        return dest
    tried = []
    for name in kernel_candidates(series, flavour, deb_arch):
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            try:
                deb = download(f"{name}:{deb_arch}", tmp, quiet=True)
            except FetchError:
                tried.append(name)
                continue
            if tried:
                # One line for the whole fallback, not one per failed try.
                log(f"{deb_arch} {series}: {', '.join(tried)} not downloadable; using the older {name}")
            tree = os.path.join(tmp, "x")
            subprocess.run(["dpkg-deb", "-x", deb, tree], check=True)
            version = subprocess.run(["dpkg-deb", "-f", deb, "Version"], capture_output=True,
                                     text=True, check=True).stdout.strip()
            boot = os.path.join(tree, "boot")
            # riscv64's kernel is an uncompressed Image named vmlinux-*.
            vmlinuz = [f for f in os.listdir(boot) if f.startswith(("vmlinuz-", "vmlinux-"))]
            if len(vmlinuz) != 1:
                raise FetchError(f"package {name}: no single /boot/vmlinuz-* in it")
            part = dest + ".part"
            shutil.rmtree(part, ignore_errors=True)
            os.makedirs(part)
            shutil.copy(os.path.join(boot, vmlinuz[0]), os.path.join(part, "vmlinuz"))
            release = vmlinuz[0][len("vmlinuz-"):]  # the same length for vmlinux-
            mods = os.path.join(part, "modules")
            os.makedirs(mods)
            moddir = None
            for base in ("lib/modules", "usr/lib/modules"):
                if os.path.isdir(os.path.join(tree, base, release)):
                    moddir = os.path.join(tree, base, release)
            for wanted in ("overlay",):
                for root, _, files in os.walk(moddir or tree):
                    for f in files:
                        if f.split(".ko")[0] == wanted and ".ko" in f:
                            src = os.path.join(root, f)
                            out = os.path.join(mods, wanted + ".ko")
                            if f.endswith(".xz"):
                                with lzma.open(src) as i, open(out, "wb") as o:
                                    shutil.copyfileobj(i, o)
                            elif f.endswith(".zst"):
                                subprocess.run(["zstd", "-dqf", src, "-o", out], check=True)
                            else:
                                shutil.copy(src, out)
            with open(os.path.join(part, "package"), "w") as f:
                f.write(f"{name} {version} {release}\n")
            shutil.rmtree(dest, ignore_errors=True)
            os.rename(part, dest)
            return dest
    raise FetchError(f"cannot download any {series} kernel for {deb_arch}: tried {', '.join(tried)}")


def deb_depends(deb):
    out = []
    for field in ("Pre-Depends", "Depends"):
        r = subprocess.run(["dpkg-deb", "-f", deb, field], capture_output=True, text=True)
        for dep in r.stdout.replace("\n", " ").split(","):
            dep = dep.split("|")[0].strip()
            if dep:
                out.append(re.split(r"[ (:]", dep)[0])
    return out


@one_builder
def fetch_user(arch, deb_arch):
    """Cached tree of busybox-static and uidmap with every package they depend on."""
    dest = os.path.join(CACHE, "user", arch)
    if os.path.exists(os.path.join(dest, ".done")):
        return dest
    debs = os.path.join(CACHE, "debs", deb_arch)
    part = dest + ".part"
    shutil.rmtree(part, ignore_errors=True)
    os.makedirs(part)
    todo, seen = ["busybox-static", "uidmap"], set()
    while todo:
        pkg = todo.pop()
        if pkg in seen:
            continue
        seen.add(pkg)
        where = os.path.join(debs, pkg)
        cached = [f for f in os.listdir(where) if f.endswith(".deb")] if os.path.isdir(where) else []
        if cached:
            deb = os.path.join(where, cached[0])
        elif f"Architecture: all" in apt_cache("show", f"{pkg}/{USER_SUITE}"):
            deb = download(f"{pkg}/{USER_SUITE}", where)
        else:
            deb = download(f"{pkg}:{deb_arch}/{USER_SUITE}", where)
        subprocess.run(["dpkg-deb", "-x", deb, part], check=True)
        todo.extend(d for d in deb_depends(deb) if d not in seen)
    open(os.path.join(part, ".done"), "w").close()
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(part, dest)
    return dest


@one_builder
def fetch_opensbi():
    dest = os.path.join(CACHE, "opensbi", "fw_dynamic.bin")
    if os.path.exists(dest):
        return dest
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        deb = download(f"opensbi/{USER_SUITE}", tmp)
        subprocess.run(["dpkg-deb", "-x", deb, os.path.join(tmp, "x")], check=True)
        src = os.path.join(tmp, "x/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin")
        if not os.path.exists(src):
            raise FetchError("package opensbi: no generic/fw_dynamic.bin in it")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy(src, dest)
    return dest
