/* Tries to push a byte into its terminal with TIOCSTI through fds 0, 1, 2
   and /dev/tty, one line per try:
     NAME dev=DEV rdev=MAJOR:MINOR tiocsti=ok
     NAME dev=DEV rdev=MAJOR:MINOR tiocsti=failed (strerror text)
   DEV (st_dev, decimal) tells devpts instances apart: their ptys share
   major and minor numbers.
     NAME not-a-tty | NAME cannot-open (strerror text)
   The byte is argv[1][0] (default '#'). Exit 0. */
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

int main(int argc, char **argv) {
  char c = argc > 1 && argv[1][0] ? argv[1][0] : '#';
  setvbuf(stdout, NULL, _IONBF, 0);
  try("fd0", 0, c);
  try("fd1", 1, c);
  try("fd2", 2, c);
  int t = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (t < 0)
    printf("tty cannot-open (%s)\n", strerror(errno));
  else
    try("tty", t, c);
  return 0;
}
