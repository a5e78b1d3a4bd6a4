/* `fdprobe`: every descriptor from 3 to 1023 that is open, with its link,
   whether a write through it lands and (for a directory) whether a file
   can be created through it. Prints `fds: 0 1 2` (the open ones of 0..3)
   first. Nothing but that line when only 0, 1, 2 are open. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
int main(void) {
  signal(SIGPIPE, SIG_IGN);
  char line[64] = "fds:";
  for (int fd = 0; fd < 3; fd++)
    if (fcntl(fd, F_GETFD) >= 0)
      snprintf(line + strlen(line), sizeof line - strlen(line), " %d", fd);
  printf("%s\n", line);
  for (int fd = 3; fd < 1024; fd++) {
    if (fcntl(fd, F_GETFD) < 0)
      continue;
    char path[64], link[512] = "?";
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n >= 0) link[n] = 0;
    int w = write(fd, "pwned\n", 6) == 6;
    int c = openat(fd, "escaped", O_WRONLY | O_CREAT, 0666);
    printf("open %d -> %s write=%s create=%s\n", fd, link, w ? "ok" : "failed", c >= 0 ? "ok" : "failed");
  }
  return 0;
}
