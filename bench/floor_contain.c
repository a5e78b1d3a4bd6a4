/* floor_contain: the least a `contain DIR CMD` can do, for `make bench`.
 *
 *   floor_contain [-U "UIDMAP ARGS" -G "GIDMAP ARGS"] [-S N] [-P CGROUP]
 *                 DIR CMD [ARG]...
 *
 * Only the syscalls the job needs, no error recovery beyond a message:
 * clone3 with new user, mount, pid, net, ipc, uts, cgroup and time
 * namespaces; the parent writes the identity maps and releases the child
 * through a pipe.  The maps are contain's (SPEC §4): as root, written
 * directly, the default map (container root onto 4294967294, 1..65535 onto
 * the 65535 ids below it); unprivileged with -U and -G, by running
 * newuidmap/newgidmap with those arguments; unprivileged without them, only
 * the caller's own ids ("0 UID 1", "0 GID 1"), written directly after
 * denying setgroups, as any process may for a namespace it owns
 * (user_namespaces(7), "Interaction with setgroups");
 * the child makes the mounts (private /, recursive bind of DIR, proc, a
 * tmpfs /dev with six bound host nodes, devpts, the symlinks), pivots with
 * pivot_root(".", "."), detaches the old root and executes CMD (a path) with
 * the environment container=contain.  The parent waits and passes on the
 * exit status.  CMD is not searched in PATH.
 * -S N: the child installs a seccomp filter of N instructions (the length
 * of contain's built-in one: load the number, N-2 comparisons, allow) with
 * TSYNC, last before execve, as contain's init does.
 * -P CGROUP: the parent makes CGROUP/floor-PID, writes pids.max 16384
 * there and moves the child in before releasing it, and removes it after,
 * as contain does with its default limit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls;
};

static void die(const char *what)
{
	fprintf(stderr, "floor_contain: %s: %s\n", what, strerror(errno));
	_exit(1);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die(path);
	close(fd);
}

/* Run newuidmap/newgidmap PID ARGS... from the parent's namespace. */
static pid_t helper(const char *prog, const char *pid, char *args)
{
	char *argv[64];
	int n = 0;
	argv[n++] = (char *)prog;
	argv[n++] = (char *)pid;
	for (char *t = strtok(args, " "); t && n < 63; t = strtok(NULL, " "))
		argv[n++] = t;
	argv[n] = NULL;
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		execv(prog, argv);
		die(prog);
	}
	return p;
}

static int filter_len; /* -S */

/* A filter of filter_len instructions that allows everything. */
static void install_filter(void)
{
	static struct sock_filter prog[4096];
	int n = filter_len;
	if (n < 2 || n > 4096)
		die("-S");
	prog[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
	for (int i = 1; i < n - 1; i++)
		prog[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 0, 0);
	prog[n - 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog fprog = {.len = (unsigned short)n, .filter = prog};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog))
		die("seccomp");
}

static void child(int rfd, const char *dir, char **cmd, int root)
{
	static const char *nodes[] = {"full", "null", "random", "tty", "urandom", "zero"};
	char c, src[32], dst[32];

	if (read(rfd, &c, 1) != 0) /* EOF once the maps are written */
		die("sync");
	setsid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (root && (setresgid(0, 0, 0) || setresuid(0, 0, 0)))
		die("setresuid");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("private /");
	if (mount(dir, dir, NULL, MS_BIND | MS_REC, NULL))
		die("bind DIR");
	if (chdir(dir))
		die("chdir DIR");
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		die("proc");
	if (mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755"))
		die("dev tmpfs");
	for (int i = 0; i < 6; i++) {
		snprintf(src, sizeof src, "/dev/%s", nodes[i]);
		snprintf(dst, sizeof dst, "dev/%s", nodes[i]);
		if (mknod(dst, S_IFREG | 0666, 0) || mount(src, dst, NULL, MS_BIND, NULL))
			die(src);
	}
	if (mkdir("dev/pts", 0755) ||
	    mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666"))
		die("devpts");
	if (symlink("pts/ptmx", "dev/ptmx") || symlink("/proc/self/fd", "dev/fd") ||
	    symlink("fd/0", "dev/stdin") || symlink("fd/1", "dev/stdout") ||
	    symlink("fd/2", "dev/stderr"))
		die("dev symlinks");
	if (syscall(SYS_pivot_root, ".", "."))
		die("pivot_root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL))
		die("slave old root");
	if (umount2(".", MNT_DETACH))
		die("detach old root");
	if (chdir("/"))
		die("chdir /");
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	if (filter_len)
		install_filter();
	char *envp[] = {"container=contain", NULL};
	execve(cmd[0], cmd, envp);
	die(cmd[0]);
}

int main(int argc, char **argv)
{
	char *umap = NULL, *gmap = NULL, *cgroup = NULL;
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "-U") == 0)
			umap = argv[i + 1];
		else if (strcmp(argv[i], "-G") == 0)
			gmap = argv[i + 1];
		else if (strcmp(argv[i], "-S") == 0)
			filter_len = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-P") == 0)
			cgroup = argv[i + 1];
		else
			break;
	}
	if (argc - i < 2) {
		fprintf(stderr, "Usage: floor_contain [-U UIDMAP -G GIDMAP] [-S N] [-P CGROUP] DIR CMD [ARG]...\n");
		return 64;
	}
	int root = getuid() == 0;
	if (!umap != !gmap) {
		fprintf(stderr, "floor_contain: -U and -G go together\n");
		return 64;
	}

	int p[2];
	if (pipe2(p, O_CLOEXEC))
		die("pipe");
	struct clone_args_v0 ca = {
		.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
			 CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_NEWTIME,
		.exit_signal = SIGCHLD,
	};
	long pid = syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0)
		die("clone3");
	if (pid == 0) {
		close(p[1]);
		child(p[0], argv[i], &argv[i + 1], root);
	}
	close(p[0]);

	char path[64], ps[24];
	snprintf(ps, sizeof ps, "%ld", pid);
	if (root) {
		/* SPEC §4, root without a subuid range: container root onto
		 * the top id, container 1..65535 onto the 65535 ids below it. */
		const char *map = "0 4294967294 1\n1 4294901759 65535\n";
		snprintf(path, sizeof path, "/proc/%ld/uid_map", pid);
		write_file(path, map);
		snprintf(path, sizeof path, "/proc/%ld/gid_map", pid);
		write_file(path, map);
	} else if (!umap) {
		/* Only the caller's own ids: one line each, setgroups denied
		 * before the gid_map (Linux 3.19, CVE-2014-8989). */
		char map[32];
		snprintf(path, sizeof path, "/proc/%ld/setgroups", pid);
		write_file(path, "deny");
		snprintf(map, sizeof map, "0 %u 1\n", (unsigned)getgid());
		snprintf(path, sizeof path, "/proc/%ld/gid_map", pid);
		write_file(path, map);
		snprintf(map, sizeof map, "0 %u 1\n", (unsigned)getuid());
		snprintf(path, sizeof path, "/proc/%ld/uid_map", pid);
		write_file(path, map);
	} else {
		pid_t u = helper("/usr/bin/newuidmap", ps, umap);
		pid_t g = helper("/usr/bin/newgidmap", ps, gmap);
		int su, sg;
		if (waitpid(u, &su, 0) < 0 || waitpid(g, &sg, 0) < 0)
			die("waitpid helper");
		if (su || sg) {
			fprintf(stderr, "floor_contain: newuidmap/newgidmap failed\n");
			kill(pid, SIGKILL);
			return 1;
		}
	}
	char group[256] = "";
	if (cgroup) {
		char file[300];
		snprintf(group, sizeof group, "%s/floor-%d", cgroup, (int)getpid());
		if (mkdir(group, 0755))
			die(group);
		snprintf(file, sizeof file, "%s/pids.max", group);
		write_file(file, "16384");
		snprintf(file, sizeof file, "%s/cgroup.procs", group);
		write_file(file, ps);
	}
	close(p[1]); /* release the child */

	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (cgroup && rmdir(group))
		die(group);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
