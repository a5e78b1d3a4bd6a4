/* `netlimit root|user PROG ARG...` (run as host root): a new user
   namespace mapping 0 and 4000 onto themselves whose
   `user.max_net_namespaces` is 0 (a per-namespace limit: the machine's own
   setting is untouched); then, as uid 0 (`root`) or uid 4000 (`user`)
   there, execv PROG. So PROG can create a user namespace but no network
   namespace. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static int put(const char *path, const char *s) {
  int fd = open(path, O_WRONLY);
  if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s)) { perror(path); return -1; }
  close(fd);
  return 0;
}
int main(int argc, char **argv) {
  int go[2], ready[2];
  pipe(go); pipe(ready);
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    if (unshare(CLONE_NEWUSER) != 0) { perror("netlimit: unshare"); _exit(125); }
    write(ready[1], "r", 1);
    if (read(go[0], &c, 1) != 1) _exit(125);
    if (put("/proc/sys/user/max_net_namespaces", "0\n") != 0) _exit(125);
    if (!strcmp(argv[1], "user")) {
      gid_t none = 0;
      if (setgroups(0, &none) || setresgid(4000, 4000, 4000) || setresuid(4000, 4000, 4000)) { perror("netlimit: ids"); _exit(125); }
    }
    execv(argv[2], argv + 2);
    perror("netlimit: execv");
    _exit(125);
  }
  char c, path[64];
  if (read(ready[0], &c, 1) != 1) return 125;
  snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
  if (put(path, "0 0 1\n4000 4000 1\n")) return 125;
  snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
  if (put(path, "0 0 1\n4000 4000 1\n")) return 125;
  write(go[1], "g", 1);
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
