/* The calls the built-in seccomp filter refuses (SPEC §5.5), each made
 * with arguments that do nothing if it is let through (a null pointer, an
 * undefined flag: EFAULT, EINVAL or EBADF then), so the probe is harmless
 * without the filter too.
 *
 *   seccomp_probe [--filter FILE] [native|x86|personality]...
 *     (default: all three groups)
 *     --filter FILE: first install the classic BPF program in FILE (raw
 *          struct sock_filter, as the tests write ucontain's built-in
 *          one) with no_new_privs, so the program is tested in the kernel
 *          before anything runs it for a container;
 *     native: each call by the native ABI;
 *     x86: the same calls by the x86 ABI (`int 0x80` with i386 numbers),
 *          on x86_64 only (needs the kernel's IA32 emulation);
 *     personality: personality(PER_LINUX32), then READ_IMPLIES_EXEC (not
 *          one of Docker's values), then back to PER_LINUX.
 *   One line per call: "NAME ok" or "NAME ERRNO" (EPERM, EINVAL, ...);
 *   x86 calls are named "x86:NAME". */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errno_name(int e) {
    static char number[16];
    switch (e) {
    case 0: return "ok";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case ENOEXEC: return "ENOEXEC";
    case EACCES: return "EACCES";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    }
    snprintf(number, sizeof number, "%d", e);
    return number;
}

static void report(const char *prefix, const char *name, long ret) {
    printf("%s%s %s\n", prefix, name, errno_name(ret < 0 ? errno : 0));
}

struct call {
    const char *name;
    long native;
    long i386; /* the x86 ABI's number */
    long a, b, c, d;
};

/* KEXEC flag 0x8000 is undefined: EINVAL, never an unload (nr_segments 0
 * with valid flags would unload a loaded kernel). */
static const struct call calls[] = {
    {"keyctl", SYS_keyctl, 288, 0 /* KEYCTL_GET_KEYRING_ID */, 0, 0, 0},
    {"add_key", SYS_add_key, 286, 0, 0, 0, 0},
    {"bpf", SYS_bpf, 357, -1, 0, 0, 0},
    {"perf_event_open", SYS_perf_event_open, 336, 0, 0, -1, -1},
    {"io_uring_setup", SYS_io_uring_setup, 425, 0, 0, 0, 0},
    {"userfaultfd", SYS_userfaultfd, 374, -1, 0, 0, 0},
    {"open_by_handle_at", SYS_open_by_handle_at, 342, -1, 0, 0, 0},
    {"kexec_load", SYS_kexec_load, 283, 0, 0, 0, 0x8000},
    {"init_module", SYS_init_module, 128, 0, 0, 0, 0},
};

#if defined(__x86_64__)
static long int80(long nr, long a, long b, long c, long d) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d) : "memory");
    if (ret < 0 && ret > -4096) {
        errno = -ret;
        return -1;
    }
    return ret;
}
#endif

static int install(const char *path) {
    static struct sock_filter program[BPF_MAXINSNS];
    FILE *f = fopen(path, "rb");
    if (!f)
        return perror(path), 1;
    size_t n = fread(program, sizeof program[0], BPF_MAXINSNS, f);
    fclose(f);
    struct sock_fprog prog = {(unsigned short)n, program};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        return perror("no_new_privs"), 1;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog))
        return perror("seccomp"), 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 2 && !strcmp(argv[1], "--filter")) {
        if (install(argv[2]))
            return 1;
        argv += 2;
        argc -= 2;
    }
    int all = argc < 2;
    for (int i = 1; i < argc || all; i++) {
        const char *group = all ? "" : argv[i];
        unsigned n = sizeof calls / sizeof calls[0];
        if (all || !strcmp(group, "native"))
            for (unsigned c = 0; c < n; c++)
                report("", calls[c].name, syscall(calls[c].native, calls[c].a, calls[c].b, calls[c].c, calls[c].d));
#if defined(__x86_64__)
        if (all || !strcmp(group, "x86"))
            for (unsigned c = 0; c < n; c++)
                report("x86:", calls[c].name, int80(calls[c].i386, calls[c].a, calls[c].b, calls[c].c, calls[c].d));
#endif
        if (all || !strcmp(group, "personality")) {
            report("", "personality(PER_LINUX32)", syscall(SYS_personality, 0x0008));
            report("", "personality(READ_IMPLIES_EXEC)", syscall(SYS_personality, 0x0400000));
            report("", "personality(PER_LINUX)", syscall(SYS_personality, 0));
        }
        if (all)
            break;
    }
    return 0;
}
