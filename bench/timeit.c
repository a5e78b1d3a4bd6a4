/* timeit: fork+exec commands many times, print median and p90 wall time.
 *
 *   timeit RUNS WARMUP CMD1 [ARG]... [:: CMD2 [ARG]...]...
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
 * after waitpid() returns. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXCMD 16

static int devnull;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Run argv once; return the wait status and store the duration.  quiet:
 * stderr to /dev/null, else to errfd when >= 0. */
static int run(char **argv, int quiet, int errfd, double *us)
{
	double t0 = now_us();
	pid_t pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		exit(2);
	}
	if (pid == 0) {
		if (quiet) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
		} else {
			dup2(devnull, 0);
			dup2(devnull, 1);
			if (errfd >= 0)
				dup2(errfd, 2);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "timeit: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			perror("timeit: waitpid");
			exit(2);
		}
	*us = now_us() - t0;
	return st;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "Usage: timeit RUNS WARMUP CMD [ARG]... [:: CMD [ARG]...]...\n");
		return 64;
	}
	int runs = atoi(argv[1]), warm = atoi(argv[2]);
	if (runs < 1 || warm < 0) {
		fprintf(stderr, "timeit: bad RUNS or WARMUP\n");
		return 64;
	}
	char **cmd[MAXCMD];
	int n = 0;
	cmd[n++] = &argv[3];
	for (int i = 3; i < argc; i++)
		if (strcmp(argv[i], "::") == 0) {
			argv[i] = NULL;
			if (n == MAXCMD || i + 1 >= argc) {
				fprintf(stderr, "timeit: too many or empty commands\n");
				return 64;
			}
			cmd[n++] = &argv[i + 1];
		}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		perror("timeit: /dev/null");
		return 2;
	}

	int ok[MAXCMD], st[MAXCMD], fails[MAXCMD];
	double *t[MAXCMD], d;
	const char *log = getenv("TIMEIT_LOG");
	for (int c = 0; c < n; c++) {
		int errfd = -1;
		if (log) {
			char path[4096];
			snprintf(path, sizeof path, "%s.%d", log, c);
			errfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		}
		st[c] = run(cmd[c], 0, errfd, &d);
		if (errfd >= 0)
			close(errfd);
		ok[c] = WIFEXITED(st[c]) && WEXITSTATUS(st[c]) == 0;
		fails[c] = 0;
		t[c] = malloc(sizeof(double) * runs);
		if (!t[c])
			return 2;
	}
	for (int i = 0; i < warm; i++)
		for (int c = 0; c < n; c++)
			if (ok[c])
				run(cmd[c], 1, -1, &d);
	for (int i = 0; i < runs; i++)
		for (int c = 0; c < n; c++)
			if (ok[c]) {
				int s = run(cmd[c], 1, -1, &t[c][i]);
				if (!(WIFEXITED(s) && WEXITSTATUS(s) == 0))
					fails[c]++;
			}
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
	return 0;
}
