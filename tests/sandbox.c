/* What a container's sandbox leaves a process (SPEC §5.5, Limits and The
 * sandbox), from inside.
 *
 *   sandbox caps            the CapInh, CapPrm, CapEff, CapBnd, CapAmb and
 *       NoNewPrivs lines of /proc/self/status, then "euid N".
 *   sandbox setuid UID COPY  copy this program to COPY, owned by root and
 *       mode 04755, and run "COPY caps" as UID: what a setuid-root program
 *       gains; exit with its status.
 *   sandbox forks           fork children that wait, until fork fails:
 *       "forked N: ERROR"; the children are then killed.
 *   sandbox alloc MB        allocate MB MiB and touch every page, then say
 *       "allocated MB MiB". */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int caps(void) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    if (!status) {
        perror("/proc/self/status");
        return 1;
    }
    while (fgets(line, sizeof line, status))
        if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs:", 11)) fputs(line, stdout);
    printf("euid %d\n", (int)geteuid());
    return 0;
}

static int copy(const char *from, const char *to) {
    char buf[65536];
    ssize_t n;
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
    if (in < 0 || out < 0) return -1;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, n) != n) return -1;
    close(in);
    return close(out) || n < 0 ? -1 : 0;
}

static int setuid_run(int uid, const char *path) {
    int status;
    pid_t child;
    if (copy("/proc/self/exe", path) || chown(path, 0, 0) || chmod(path, 04755)) {
        perror(path);
        return 1;
    }
    fflush(stdout);
    child = fork();
    if (child == 0) {
        if (setgid(uid) || setuid(uid)) {
            perror("setuid");
            _exit(1);
        }
        execl(path, path, "caps", (char *)0);
        perror(path);
        _exit(127);
    }
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int forks(void) {
    static pid_t children[100000];
    int n = 0;
    for (;;) {
        pid_t child = fork();
        if (child < 0) break;
        if (child == 0) {
            pause();
            _exit(0);
        }
        children[n++] = child;
    }
    printf("forked %d: %s\n", n, strerror(errno));
    for (int i = 0; i < n; i++) kill(children[i], SIGKILL);
    while (wait(NULL) > 0) {}
    return 0;
}

static int alloc(long mb) {
    char *p = malloc(mb << 20);
    if (!p) {
        perror("malloc");
        return 1;
    }
    for (long i = 0; i < mb << 20; i += 4096) p[i] = 1;
    printf("allocated %ld MiB\n", mb);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "caps")) return caps();
    if (argc == 4 && !strcmp(argv[1], "setuid")) return setuid_run(atoi(argv[2]), argv[3]);
    if (argc == 2 && !strcmp(argv[1], "forks")) return forks();
    if (argc == 3 && !strcmp(argv[1], "alloc")) return alloc(atol(argv[2]));
    fprintf(stderr, "usage: sandbox caps | setuid UID COPY | forks | alloc MB\n");
    return 2;
}
