#!/usr/bin/env python3
"""The virtual-machine matrix of `make test`: each kernel and architecture
of the list below boots an initramfs holding only a static busybox,
ucontain, newuidmap/newgidmap with their libraries, a container root and
tests/vm/checks.sh, under qemu-system with TCG (this machine's KVM cannot
boot stock kernels), first from the initramfs itself and then after a
switch_root. One line per boot; the last line counts them.

Packages come from Debian through a private apt configuration
(tests/vm/fetch.py), cached under ${UCONTAIN_CACHE:-~/.cache/ucontain}/vm.
"""

import concurrent.futures
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import fetch  # noqa: E402

# (our architecture, Debian's, kernel flavour, kernel series or exact ABI)
MATRIX = [
    ("x86_64", "amd64", "amd64", "5.10.0-32"),
    ("x86_64", "amd64", "amd64", "5.10"),
    ("x86_64", "amd64", "amd64", "6.1"),
    ("x86_64", "amd64", "amd64", "6.12"),
    ("aarch64", "arm64", "arm64", "5.10"),
    ("aarch64", "arm64", "arm64", "6.1"),
    ("aarch64", "arm64", "arm64", "6.12"),
    ("riscv64", "riscv64", "riscv64", "6.12"),
    ("armv7", "armhf", "armmp", "6.1"),
    ("armv7", "armhf", "armmp", "6.12"),
]
TRIPLES = {
    "x86_64": "x86_64-unknown-linux-musl",
    "aarch64": "aarch64-unknown-linux-musl",
    "riscv64": "riscv64gc-unknown-linux-musl",
    "armv7": "armv7-unknown-linux-musleabihf",
}
BOOT_TIMEOUT = int(os.environ.get("UCONTAIN_VM_TIMEOUT", "400"))

INIT = r"""#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
[ -f /overlay.ko ] && /bin/busybox insmod /overlay.ko
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
STAGE=initramfs sh /checks.sh
mkdir -p /new && mount -t tmpfs -o mode=0755 new /new
for d in bin c u etc lib lib32 lib64 usr sbin checks.sh init2 marker; do [ -e /$d ] && cp -a /$d /new/; done
mkdir -p /new/proc /new/sys /new/dev /new/tmp
umount /proc /sys /dev
exec switch_root /new /init2
"""
INIT2 = r"""#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
STAGE=switched sh /checks.sh
poweroff -f
"""


def newc(entries, out):
    """Write a cpio newc archive of (path in archive, host path or None for a directory, mode)."""
    ino = 1
    with open(out, "wb") as f:
        def header(name, mode, size, nlink=1):
            nonlocal ino
            fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name) + 1, 0]
            ino += 1
            h = b"070701" + b"".join(b"%08X" % v for v in fields)
            f.write(h + name.encode() + b"\0")
            f.write(b"\0" * ((4 - (len(h) + len(name) + 1) % 4) % 4))

        for name, src, mode in entries:
            if src is None:
                header(name, mode, 0, 2)
            elif stat.S_ISLNK(mode):
                target = os.readlink(src).encode()
                header(name, mode, len(target))
                f.write(target + b"\0" * ((4 - len(target) % 4) % 4))
            else:
                data = open(src, "rb").read()
                header(name, mode, len(data))
                f.write(data + b"\0" * ((4 - len(data) % 4) % 4))
        header("TRAILER!!!", 0, 0)


def tree_entries(root, prefix=""):
    """Every file, link and directory below ROOT, as newc entries."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        base = prefix + ("" if rel == "." else rel + "/")
        for d in sorted(dirnames):
            p = os.path.join(dirpath, d)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out.append((base + d, p, st.st_mode))
            else:
                out.append((base + d, None, st.st_mode))
        for n in sorted(filenames):
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
                out.append((base + n, p, st.st_mode))
    return out


def initramfs(arch, kernel, work):
    """The initramfs of ARCH (with KERNEL's overlay module), built in WORK."""
    user = fetch.fetch_user(arch, {"x86_64": "amd64", "aarch64": "arm64", "riscv64": "riscv64", "armv7": "armhf"}[arch])
    binary = os.path.join(TOP, "target", TRIPLES[arch], "release", "ucontain")
    if not os.path.exists(binary):
        raise fetch.FetchError(f"{binary} is missing: run make build cross first")
    files = os.path.join(work, "files")
    os.makedirs(files)
    for name, text, mode in [("init", INIT, 0o755), ("init2", INIT2, 0o755), ("marker", "initramfs-secret\n", 0o644),
                             ("etc/passwd", "root:x:0:0::/root:/bin/sh\ntester::4000:4000::/tmp:/bin/sh\n", 0o644),
                             ("etc/group", "root:x:0:\ntester:x:4000:\n", 0o644),
                             ("etc/subuid", "tester:200000:65536\n", 0o644), ("etc/subgid", "tester:200000:65536\n", 0o644)]:
        p = os.path.join(files, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        open(p, "w").write(text)
        os.chmod(p, mode)
    shutil.copy(os.path.join(HERE, "checks.sh"), os.path.join(files, "checks.sh"))
    shutil.copy(binary, os.path.join(files, "ucontain"))
    busybox = os.path.join(user, "usr/bin/busybox")
    if not os.path.exists(busybox):
        busybox = os.path.join(user, "bin/busybox")
    entries = [("proc", None, 0o40755), ("sys", None, 0o40755), ("dev", None, 0o40755), ("tmp", None, 0o41777),
               ("root", None, 0o40700), ("etc", None, 0o40755), ("bin", None, 0o40755)]
    entries += [e for e in tree_entries(user)
                if not e[0].startswith(("usr/share/doc", "usr/share/man", "usr/share/locale", ".done", "etc", "bin/", "var"))]
    # A merged /usr: the dynamic loader's /lib and /lib64 paths lead there.
    for top in ("lib", "lib64", "sbin"):
        if os.path.isdir(os.path.join(user, "usr", top)) and not os.path.exists(os.path.join(user, top)):
            link = os.path.join(work, "link-" + top)
            os.symlink("usr/" + top, link)
            entries.append((top, link, 0o120777))
    entries.append(("bin/busybox", busybox, 0o100755))
    for helper in ("usr/bin/newuidmap", "usr/bin/newgidmap"):
        entries = [(n, s, (m | 0o4000) if n == helper else m) for n, s, m in entries]
    entries += [("init", os.path.join(files, "init"), 0o100755), ("init2", os.path.join(files, "init2"), 0o100755),
                ("checks.sh", os.path.join(files, "checks.sh"), 0o100644), ("marker", os.path.join(files, "marker"), 0o100644),
                ("bin/ucontain", os.path.join(files, "ucontain"), 0o100755)]
    entries += [(f"etc/{n}", os.path.join(files, "etc", n), 0o100644) for n in ("passwd", "group", "subuid", "subgid")]
    # The container roots: a busybox, its applets, and the directories contain uses.
    applets = subprocess.run(["qemu-" + {"x86_64": "x86_64", "aarch64": "aarch64", "riscv64": "riscv64", "armv7": "arm"}[arch] + "-static",
                              busybox, "--list"], capture_output=True, text=True).stdout.split()
    if not applets:
        applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True).stdout.split()
    for c in ("c", "u"):
        entries += [(c, None, 0o40755), (f"{c}/bin", None, 0o40755), (f"{c}/proc", None, 0o40755), (f"{c}/dev", None, 0o40755),
                    (f"{c}/tmp", None, 0o41777), (f"{c}/mnt", None, 0o40755), (f"{c}/bin/busybox", busybox, 0o100755)]
        for a in applets:
            if a != "busybox":
                link = os.path.join(work, "link-busybox")
                if not os.path.lexists(link):
                    os.symlink("busybox", link)
                entries.append((f"{c}/bin/{a}", link, 0o120777))
    # Applet links of the initramfs itself (its /bin holds busybox).
    link = os.path.join(work, "link-busybox")
    have = {e[0] for e in entries}
    for a in applets + ["sh"]:
        if f"bin/{a}" not in have and a != "busybox":
            entries.append((f"bin/{a}", link, 0o120777))
    ko = os.path.join(kernel, "modules", "overlay.ko")
    if os.path.exists(ko):
        entries.append(("overlay.ko", ko, 0o100644))
    out = os.path.join(work, "initramfs.cpio")
    newc(entries, out)
    return out


def qemu(arch, kernel, initrd):
    vmlinuz = os.path.join(kernel, "vmlinuz")
    common = ["-m", "768", "-smp", "1", "-nographic", "-no-reboot", "-kernel", vmlinuz, "-initrd", initrd]
    if arch == "x86_64":
        return ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-machine", "q35"] + common + ["-append", "console=ttyS0 panic=-1"]
    if arch == "aarch64":
        return ["qemu-system-aarch64", "-accel", "tcg", "-cpu", "max", "-machine", "virt"] + common + ["-append", "console=ttyAMA0 panic=-1"]
    if arch == "armv7":
        return ["qemu-system-arm", "-accel", "tcg", "-cpu", "cortex-a15", "-machine", "virt"] + common + ["-append", "console=ttyAMA0 panic=-1"]
    return ["qemu-system-riscv64", "-accel", "tcg", "-machine", "virt", "-bios", fetch.fetch_opensbi()] + common + ["-append", "console=ttyS0 panic=-1"]


def boot(case):
    arch, deb_arch, flavour, series = case
    name = f"{arch} {series}"
    try:
        kernel = fetch.fetch_kernel(arch, deb_arch, flavour, series)
        package = open(os.path.join(kernel, "package")).read().split()[0]
        with tempfile.TemporaryDirectory(prefix="ucontain-vm-") as work:
            initrd = initramfs(arch, kernel, work)
            start = time.time()
            try:
                r = subprocess.run(qemu(arch, kernel, initrd), stdin=subprocess.DEVNULL, capture_output=True, timeout=BOOT_TIMEOUT)
                log = r.stdout.decode(errors="replace")
            except subprocess.TimeoutExpired as e:
                log = (e.stdout or b"").decode(errors="replace") + f"\n(no end within {BOOT_TIMEOUT} s: killed)\n"
            took = time.time() - start
    except fetch.FetchError as e:
        return False, f"FAIL {name}: {e}", ""
    logs = os.path.join(fetch.CACHE, "logs")
    os.makedirs(logs, exist_ok=True)
    with open(os.path.join(logs, f"{arch}-{series}.log"), "w") as f:
        f.write(log)
    results = [l.strip() for l in log.splitlines() if l.strip().startswith("vm: ")]
    # A failed check's report runs until the next check's line.
    fails, inside = [], False
    for l in log.splitlines():
        l = l.strip()
        if l.startswith(("ok ", "vm: ")):
            inside = False
        elif l.startswith("FAIL "):
            inside = True
        if inside:
            fails.append(l)
    good = len(results) == 2 and all(r.endswith(" 0 failed") for r in results)
    line = f"{'ok  ' if good else 'FAIL'} {name} ({package}, {took:.0f} s): " + ("; ".join(r[4:] for r in results) or "no result")
    line += "" if good else f" (console log: {logs}/{arch}-{series}.log)"
    detail = "" if good else "\n".join(fails) + ("" if fails else "\n" + "\n".join(log.splitlines()[-25:]))
    return good, line, detail


# What one download weighs, roughly (Debian's packages, 2026): a kernel
# image package with its modules, and busybox-static and uidmap with what
# they depend on.
KERNEL_MB = 70
USER_TREE_MB = 8


def announce_downloads(cases):
    """Before anything is fetched: how much will be, and where it is kept."""
    kernels = {(c[0], c[3]) for c in cases
               if not os.path.exists(os.path.join(fetch.CACHE, "kernels", f"{c[0]}-{c[3]}", "package"))}
    users = {c[0] for c in cases if not os.path.exists(os.path.join(fetch.CACHE, "user", c[0], ".done"))}
    if kernels or users:
        mb = len(kernels) * KERNEL_MB + len(users) * USER_TREE_MB
        print(f"vm: downloading {len(kernels)} kernels and {len(users)} user trees (about {mb} MB) "
              f"with apt-get into {fetch.CACHE}, kept for later runs", flush=True)
    else:
        print(f"vm: kernels and user trees cached in {fetch.CACHE}", flush=True)


def main():
    r = subprocess.run(["sh", os.path.join(HERE, "host-qemu.sh")])
    if r.returncode != 0:
        sys.exit("vm: qemu-system is missing and could not be installed")
    cases = MATRIX
    only = os.environ.get("UCONTAIN_VM_ONLY")
    if only:
        cases = [c for c in MATRIX if f"{c[0]} {c[3]}" in only.split(",")]
    announce_downloads(cases)
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for good, line, detail in pool.map(boot, cases):
            print(line, flush=True)
            if detail:
                print("\n".join("    " + l for l in detail.splitlines() if l), flush=True)
            passed += good
            failed += not good
    print(f"vm: boots {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
