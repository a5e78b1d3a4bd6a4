/* `wrap [-i SIG]... [-o FD:r|w|d:PATH]... -- PROG ARG...`: set each SIG
   to SIG_IGN and open each PATH on FD (read, write-append, or a directory;
   not close-on-exec), then execv PROG. For callers that hold what a
   shell cannot (fd 250) or ignore SIGCHLD (not every shell passes that on). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--"); i += 2) {
    if (!strcmp(argv[i], "-i")) {
      if (signal(atoi(argv[i + 1]), SIG_IGN) == SIG_ERR) { perror("wrap: signal"); return 125; }
    } else if (!strcmp(argv[i], "-o")) {
      char *spec = argv[i + 1], *mode = strchr(spec, ':');
      int fd = atoi(spec), flags = mode[1] == 'r' ? O_RDONLY : mode[1] == 'w' ? O_WRONLY | O_APPEND : O_RDONLY | O_DIRECTORY;
      int got = open(mode + 3, flags);
      if (got < 0 || dup2(got, fd) < 0) { perror("wrap: open"); return 125; }
      if (got != fd) close(got);
    }
  }
  execv(argv[i + 1], argv + i + 1);
  perror("wrap: execv");
  return 125;
}
