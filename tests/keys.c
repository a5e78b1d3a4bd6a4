/* The session keyring from both sides of a container (SPEC §3 Keys), by
 * the raw add_key(2) and keyctl(2) calls (busybox has no keyctl).
 *
 *   keys outer PROG ARG...  join a new session keyring of its own (the
 *       machine's is never touched), add the user key "ucontain-outer" to
 *       it, run PROG ARG... with each "@SESSION" and "@KEY" replaced by the
 *       keyring's and the key's ids, then print whether "ucontain-inner" is
 *       in its session keyring; exit with PROG's status.
 *   keys inner SESSION KEY  one line for each try, "ok" or the errno's
 *       name: whether the session keyring is SESSION, the search for
 *       "ucontain-outer" in it, a read and a link of KEY, and the add of
 *       "ucontain-inner" to it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY_SPEC_SESSION_KEYRING -3
#define KEYCTL_GET_KEYRING_ID 0
#define KEYCTL_JOIN_SESSION_KEYRING 1
#define KEYCTL_LINK 8
#define KEYCTL_SEARCH 10
#define KEYCTL_READ 11

static long keyctl(long op, long a, long b, long c, long d) { return syscall(SYS_keyctl, op, a, b, c, d); }

static long add_key(const char *description) {
  return syscall(SYS_add_key, "user", description, "secret", 6L, (long)KEY_SPEC_SESSION_KEYRING);
}

static const char *result(long r) {
  static char other[32];
  if (r >= 0)
    return "ok";
  switch (errno) {
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  case ENOKEY: return "ENOKEY";
  case ENOENT: return "ENOENT";
  case ENOSYS: return "ENOSYS";
  }
  snprintf(other, sizeof other, "errno %d", errno);
  return other;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc >= 3 && strcmp(argv[1], "outer") == 0) {
    if (keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0) < 0 || add_key("ucontain-outer") < 0) {
      perror("keys: session keyring");
      return 125;
    }
    char session[16], key[16];
    snprintf(session, sizeof session, "%ld", keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0));
    snprintf(key, sizeof key, "%ld", keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (long)"user",
                                            (long)"ucontain-outer", 0));
    for (int i = 2; i < argc; i++) {
      if (strcmp(argv[i], "@SESSION") == 0)
        argv[i] = session;
      else if (strcmp(argv[i], "@KEY") == 0)
        argv[i] = key;
    }
    pid_t child = fork();
    if (child == 0) {
      execv(argv[2], argv + 2);
      perror(argv[2]);
      _exit(127);
    }
    int status;
    if (child < 0 || waitpid(child, &status, 0) < 0)
      return 125;
    long inner = keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (long)"user", (long)"ucontain-inner", 0);
    printf("after: %s\n", result(inner));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  if (argc == 4 && strcmp(argv[1], "inner") == 0) {
    long session = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0, 0);
    long key = atol(argv[3]);
    char buf[64];
    printf("session: %s\n", session == atol(argv[2]) ? "same" : "new");
    printf("search: %s\n",
           result(keyctl(KEYCTL_SEARCH, KEY_SPEC_SESSION_KEYRING, (long)"user", (long)"ucontain-outer", 0)));
    printf("read: %s\n", result(keyctl(KEYCTL_READ, key, (long)buf, sizeof buf, 0)));
    printf("link: %s\n", result(keyctl(KEYCTL_LINK, key, KEY_SPEC_SESSION_KEYRING, 0, 0)));
    printf("add: %s\n", result(add_key("ucontain-inner")));
    return 0;
  }
  fprintf(stderr, "usage: keys outer PROG ARG... | keys inner SESSION KEY\n");
  return 125;
}
