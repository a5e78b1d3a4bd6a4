/* TIOCSTI, the ioctl that pushes a byte into a terminal's input queue
   (CVE-2016-7545, CVE-2017-5226): what a program inside a container can
   reach with it. Exit 0.

   tiocsti
       Tries to push '#' through fds 0, 1, 2 and /dev/tty, one line per try:
         NAME dev=DEV rdev=MAJOR:MINOR tiocsti=ok
         NAME dev=DEV rdev=MAJOR:MINOR tiocsti=failed (strerror text)
       DEV (st_dev, decimal) tells devpts instances apart: their ptys share
       major and minor numbers.
         NAME not-a-tty | NAME cannot-open (strerror text)

   tiocsti push WORD
       Prints `isatty=0|1` (of fd 0) and `pid=P sid=S`, then pushes WORD and
       a newline into fd 0's terminal, stopping at the first refusal, and
       prints `tiocsti=ok` or `tiocsti=failed (strerror text)`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void try(const char *name, int fd, char c) {
  struct stat st;
  if (!isatty(fd) || fstat(fd, &st) < 0) {
    printf("%s not-a-tty\n", name);
    return;
  }
  printf("%s dev=%llu rdev=%u:%u ", name, (unsigned long long)st.st_dev, major(st.st_rdev),
         minor(st.st_rdev));
  if (ioctl(fd, TIOCSTI, &c) == 0)
    printf("tiocsti=ok\n");
  else
    printf("tiocsti=failed (%s)\n", strerror(errno));
}

static void each(void) {
  try("fd0", 0, '#');
  try("fd1", 1, '#');
  try("fd2", 2, '#');
  int t = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (t < 0)
    printf("tty cannot-open (%s)\n", strerror(errno));
  else
    try("tty", t, '#');
}

static void push(const char *word) {
  char nl = '\n';
  printf("isatty=%d\n", isatty(0));
  printf("pid=%d sid=%d\n", getpid(), getsid(0));
  int ok = 1;
  for (const char *p = word; *p && ok; p++)
    ok = ioctl(0, TIOCSTI, p) == 0;
  if (ok)
    ok = ioctl(0, TIOCSTI, &nl) == 0;
  if (ok)
    printf("tiocsti=ok\n");
  else
    printf("tiocsti=failed (%s)\n", strerror(errno));
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc == 1)
    each();
  else if (argc == 3 && strcmp(argv[1], "push") == 0)
    push(argv[2]);
  else {
    fprintf(stderr, "usage: tiocsti | tiocsti push WORD\n");
    return 2;
  }
  return 0;
}
