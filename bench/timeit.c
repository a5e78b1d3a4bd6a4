/* timeit: fork+exec commands many times, print median and p90 wall time.
 *
 *   timeit [-u UID] [-p N] RUNS WARMUP CMD1 [ARG]... [:: CMD2 [ARG]...]...
 *   timeit -s CMD [ARG]...
 *   timeit -w PID
 *
 * Commands separated by "::" are run interleaved (A B C A B C ...), so slow
 * drift of the machine (frequency, other load) hits every command alike.
 * Before timing, each command runs once with stderr inherited, or sent to
 * the file $TIMEIT_LOG.N (N = 0, 1, ... the command's index) when TIMEIT_LOG
 * is set; a command that does not exit 0 there is not timed.
 * Timed runs get stdin/stdout/stderr on /dev/null.  Output, one line per
 * command, in order:
 *   ok MEDIAN_US P90_US MIN_US FAILS      (FAILS: timed runs not exiting 0)
 *   na exit N | na signal N               (the check run failed)
 * Each run is timed with CLOCK_MONOTONIC from just before fork() to just
 * after waitpid() returns.
 *
 * -u UID: every command runs as uid and gid UID with no supplementary
 * groups (as setpriv --reuid --regid --clear-groups would make it), timeit
 * itself staying root for what follows.
 * A command may start with words that say where it runs, each applied in
 * the child before the uid changes:
 *   @cgroup=DIR    the child moves itself into the cgroup DIR (writes its
 *                  pid to DIR/cgroup.procs; the word may repeat, one per
 *                  hierarchy)
 *   @mntns=PATH    the child joins the mount namespace PATH (setns), e.g.
 *                  /proc/PID/ns/mnt of a process holding a prepared one
 * -p N: each run starts N copies of the command at once (the N children
 * are forked first and wait on a pipe; the run is timed from their release
 * to the last one's exit), FAILS counts copies not exiting 0, and the
 * copies' stderr goes to $TIMEIT_LOG.N.par when TIMEIT_LOG is set.
 *
 * Nothing started by timeit outlives it.  It is a child subreaper; on
 * SIGTERM it kills every process below it (found through /proc), reaps
 * them all (for at most 3 s) and exits 143.  Its parent's death sends it
 * SIGTERM (PR_SET_PDEATHSIG); when TIMEIT_PARENT is set (not empty) to the
 * pid of the process that started it and that one is already gone, it
 * exits at once.
 * Every child gets PR_SET_PDEATHSIG SIGKILL (set after its uid change,
 * which would clear it).
 *
 * -s CMD: run CMD once, stdio inherited, and exit with its status (128+N
 * for signal N) once it and everything below it is gone: a supervisor for
 * a background process, so that what it starts is reaped, not orphaned.
 *
 * -w PID: wait until process PID ends (pidfd_open and poll; polling with
 * kill(PID, 0) where there are no pidfds), then exit 0; with the parent
 * death signal too, so a holder of a namespace or a guard made of it ends
 * with whoever started it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXCMD 16
#define MAXCG 4
#define MAXPAR 1024

struct cmd {
	char **argv;
	int ncg, cgfd[MAXCG]; /* cgroup.procs of each @cgroup, open */
	int mntfd;            /* @mntns, open, or -1 */
};

static int devnull;
static pid_t self;
static long uid = -1;
/* SIGTERM is blocked except while waiting for a child; its handler only
 * sets stop, and the waiting loop then ends everything (end_all). */
static sigset_t term;
static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Kill every process below this one (parents as listed in /proc/PID/stat)
 * and reap them; orphans come here, a subreaper.  Repeats until none is
 * left, for at most 3 s (then SIGALRM ends timeit). */
static void end_all(void)
{
	static pid_t pid[65536], ppid[65536];
	static char below[65536];
	alarm(3);
	for (;;) {
		int n = 0, killed = 0;
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d)) && n < 65536) {
			char path[300], buf[512], *p;
			if (e->d_name[0] < '1' || e->d_name[0] > '9')
				continue;
			snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			ssize_t len = read(fd, buf, sizeof buf - 1);
			close(fd);
			if (len <= 0)
				continue;
			buf[len] = 0;
			if (!(p = strrchr(buf, ')')) || sscanf(p + 1, " %*c %d", &ppid[n]) != 1)
				continue;
			pid[n++] = atoi(e->d_name);
		}
		if (d)
			closedir(d);
		memset(below, 0, n);
		for (int changed = 1; changed;) {
			changed = 0;
			for (int i = 0; i < n; i++) {
				if (below[i])
					continue;
				int up = ppid[i] == self;
				for (int j = 0; !up && j < n; j++)
					up = below[j] && pid[j] == ppid[i];
				if (up)
					below[i] = changed = 1;
			}
		}
		for (int i = 0; i < n; i++)
			if (below[i] && kill(pid[i], SIGKILL) == 0)
				killed++;
		int r;
		while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (!killed && r < 0 && errno == ECHILD)
			return;
		usleep(10000);
	}
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void child_fail(const char *what, const char *arg)
{
	fprintf(stderr, "timeit: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "",
		strerror(errno));
	_exit(126);
}

/* In a child: go where c says, become uid, die with timeit. */
static void prepare(const struct cmd *c)
{
	sigset_t none;
	sigemptyset(&none);
	/* A background job of sh ignores these; the commands must not. */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	char pid[24];
	int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	for (int i = 0; i < c->ncg; i++)
		if (write(c->cgfd[i], pid, len) != len)
			child_fail("cannot join cgroup", NULL);
	if (c->mntfd >= 0 && setns(c->mntfd, CLONE_NEWNS))
		child_fail("cannot join mount namespace", NULL);
	if (uid >= 0 && (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
		child_fail("cannot become uid", NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != self)
		_exit(125);
}

static void redirect(int quiet, int errfd)
{
	dup2(devnull, 0);
	dup2(devnull, 1);
	if (quiet)
		dup2(devnull, 2);
	else if (errfd >= 0)
		dup2(errfd, 2);
}

static int reap(pid_t pid)
{
	int st, r;
	for (;;) {
		sigprocmask(SIG_UNBLOCK, &term, NULL);
		r = waitpid(pid, &st, 0);
		sigprocmask(SIG_BLOCK, &term, NULL);
		if (stop) {
			end_all();
			_exit(143);
		}
		if (r >= 0 || errno != EINTR)
			break;
	}
	if (r < 0) {
		perror("timeit: waitpid");
		exit(2);
	}
	return st;
}

/* Reap the orphans adopted as a subreaper (bwrap leaves one per run),
 * outside the timed window. */
static void reap_strays(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static int succeeded(int st)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Run c once; return the wait status and store the duration.  quiet:
 * stderr to /dev/null, else to errfd when >= 0. */
static int run(const struct cmd *c, int quiet, int errfd, double *us)
{
	double t0 = now_us();
	pid_t pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		exit(2);
	}
	if (pid == 0) {
		prepare(c);
		redirect(quiet, errfd);
		execvp(c->argv[0], c->argv);
		child_fail("cannot execute", c->argv[0]);
	}
	int st = reap(pid);
	*us = now_us() - t0;
	reap_strays();
	return st;
}

/* Start n copies of c at once; return how many did not exit 0. */
static int run_par(const struct cmd *c, int n, int errfd, double *us)
{
	static pid_t pids[MAXPAR];
	int p[2], fails = 0, started = 0;
	if (pipe2(p, O_CLOEXEC)) {
		perror("timeit: pipe");
		exit(2);
	}
	for (; started < n; started++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("timeit: fork");
			break;
		}
		if (pid == 0) {
			char x;
			close(p[1]);
			prepare(c);
			redirect(errfd < 0, errfd);
			if (read(p[0], &x, 1) != 0) /* EOF: released */
				_exit(124);
			execvp(c->argv[0], c->argv);
			child_fail("cannot execute", c->argv[0]);
		}
		pids[started] = pid;
	}
	fails += n - started;
	double t0 = now_us();
	close(p[1]);
	close(p[0]);
	for (int i = 0; i < started; i++) {
		if (!succeeded(reap(pids[i])))
			fails++;
	}
	*us = now_us() - t0;
	reap_strays();
	return fails;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int wait_for(pid_t pid)
{
	int fd = syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
		return 0;
	}
	if (errno == ESRCH)
		return 0;
	while (kill(pid, 0) == 0 || errno == EPERM)
		usleep(100000);
	return 0;
}

/* Take the leading @cgroup= and @mntns= words of a command. */
static int where(struct cmd *c)
{
	c->ncg = 0;
	c->mntfd = -1;
	for (;;) {
		char *w = c->argv[0], path[4096];
		if (!w)
			return 0;
		if (strncmp(w, "@cgroup=", 8) == 0) {
			if (c->ncg == MAXCG) {
				fprintf(stderr, "timeit: more than %d @cgroup words\n", MAXCG);
				return -1;
			}
			snprintf(path, sizeof path, "%s/cgroup.procs", w + 8);
			c->cgfd[c->ncg] = open(path, O_WRONLY | O_CLOEXEC);
			if (c->cgfd[c->ncg++] < 0) {
				fprintf(stderr, "timeit: %s: %s\n", path, strerror(errno));
				return -1;
			}
		} else if (strncmp(w, "@mntns=", 7) == 0) {
			c->mntfd = open(w + 7, O_RDONLY | O_CLOEXEC);
			if (c->mntfd < 0) {
				fprintf(stderr, "timeit: %s: %s\n", w + 7, strerror(errno));
				return -1;
			}
		} else
			return 0;
		c->argv++;
	}
}

int main(int argc, char **argv)
{
	int par = 0, i = 1;
	self = getpid();
	const char *parent = getenv("TIMEIT_PARENT");
	if (argc == 3 && strcmp(argv[1], "-w") == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		return wait_for(atoi(argv[2]));
	}
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	struct sigaction sa = {.sa_handler = on_term};
	sigfillset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (parent && *parent && getppid() != atoi(parent)) {
		fprintf(stderr, "timeit: the process that started it (%s) is gone\n", parent);
		return 2;
	}
	unsetenv("TIMEIT_PARENT");
	if (argc >= 3 && strcmp(argv[1], "-s") == 0) {
		struct cmd c = {.argv = &argv[2], .mntfd = -1};
		pid_t pid = fork();
		if (pid < 0) {
			perror("timeit: fork");
			return 2;
		}
		if (pid == 0) {
			prepare(&c);
			execvp(c.argv[0], c.argv);
			child_fail("cannot execute", c.argv[0]);
		}
		int st = reap(pid);
		end_all();
		return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	}
	for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] && !argv[i][2]; i += 2) {
		char o = argv[i][1];
		if (o == 'u')
			uid = atol(argv[i + 1]);
		else if (o == 'p')
			par = atoi(argv[i + 1]);
		else
			break;
	}
	if (argc - i < 3 || par < 0 || par > MAXPAR) {
		fprintf(stderr, "Usage: timeit [-u UID] [-p N] RUNS WARMUP CMD [ARG]... [:: CMD [ARG]...]...\n"
				"       timeit -s CMD [ARG]...\n"
				"       timeit -w PID\n");
		return 64;
	}
	int runs = atoi(argv[i]), warm = atoi(argv[i + 1]);
	if (runs < 1 || warm < 0) {
		fprintf(stderr, "timeit: bad RUNS or WARMUP\n");
		return 64;
	}
	struct cmd cmd[MAXCMD];
	int n = 0;
	cmd[n++].argv = &argv[i + 2];
	for (int j = i + 2; j < argc; j++)
		if (strcmp(argv[j], "::") == 0) {
			argv[j] = NULL;
			if (n == MAXCMD || j + 1 >= argc) {
				fprintf(stderr, "timeit: too many or empty commands\n");
				return 64;
			}
			cmd[n++].argv = &argv[j + 1];
		}
	for (int c = 0; c < n; c++)
		if (where(&cmd[c]))
			return 2;
		else if (!cmd[c].argv[0]) {
			fprintf(stderr, "timeit: command %d is empty\n", c);
			return 64;
		}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		perror("timeit: /dev/null");
		return 2;
	}

	int ok[MAXCMD], st[MAXCMD], fails[MAXCMD], parfd[MAXCMD];
	double *t[MAXCMD], d;
	char *log = getenv("TIMEIT_LOG");
	if (log)
		log = strdup(log);
	unsetenv("TIMEIT_LOG");
	for (int c = 0; c < n; c++) {
		int errfd = -1;
		char path[4096];
		parfd[c] = -1;
		if (log) {
			snprintf(path, sizeof path, "%s.%d", log, c);
			errfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (par) {
				snprintf(path, sizeof path, "%s.%d.par", log, c);
				parfd[c] = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
			}
		}
		st[c] = run(&cmd[c], 0, errfd, &d);
		if (errfd >= 0)
			close(errfd);
		ok[c] = succeeded(st[c]);
		fails[c] = 0;
		t[c] = malloc(sizeof(double) * runs);
		if (!t[c])
			return 2;
	}
	for (int r = 0; r < warm; r++)
		for (int c = 0; c < n; c++)
			if (ok[c]) {
				if (par)
					run_par(&cmd[c], par, parfd[c], &d);
				else
					run(&cmd[c], 1, -1, &d);
			}
	for (int r = 0; r < runs; r++)
		for (int c = 0; c < n; c++)
			if (!ok[c])
				continue;
			else if (par)
				fails[c] += run_par(&cmd[c], par, parfd[c], &t[c][r]);
			else if (!succeeded(run(&cmd[c], 1, -1, &t[c][r])))
				fails[c]++;
	for (int c = 0; c < n; c++) {
		if (!ok[c]) {
			if (WIFSIGNALED(st[c]))
				printf("na signal %d\n", WTERMSIG(st[c]));
			else
				printf("na exit %d\n", WEXITSTATUS(st[c]));
			continue;
		}
		qsort(t[c], runs, sizeof(double), cmp);
		double med = runs % 2 ? t[c][runs / 2]
				      : (t[c][runs / 2 - 1] + t[c][runs / 2]) / 2;
		int p = (int)(0.9 * runs + 0.5) - 1;
		if (p < 0)
			p = 0;
		printf("ok %.1f %.1f %.1f %d\n", med, t[c][p], t[c][0], fails[c]);
	}
	fflush(stdout);
	end_all();
	return 0;
}
