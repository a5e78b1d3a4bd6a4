/* A small static C program the tests run where a shell cannot say what
   they need to know (memfd seals, descriptors, sockets, a failing syscall).
   Built by tests/common/probe.rs with cc -static. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int seals(void) {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    printf("open=%s\n", strerror(errno));
    return 1;
  }
  printf("seals=%d\n", fcntl(fd, F_GET_SEALS));
  int w = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
  if (w < 0) {
    printf("write=failed (open: %s)\n", strerror(errno));
  } else if (write(w, "x", 1) != 1) {
    printf("write=failed (write: %s)\n", strerror(errno));
  } else {
    printf("write=ok\n");
  }
  if (ftruncate(fd, 0) == 0)
    printf("truncate=ok\n");
  else
    printf("truncate=failed\n");
  return 0;
}

static int fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) {
    perror("opendir");
    return 1;
  }
  int own = dirfd(d);
  int list[1024], n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 1024) {
    if (e->d_name[0] == '.')
      continue;
    int fd = atoi(e->d_name);
    if (fd != own)
      list[n++] = fd;
  }
  closedir(d);
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (list[j] < list[i]) {
        int t = list[i];
        list[i] = list[j];
        list[j] = t;
      }
  for (int i = 0; i < n; i++)
    printf("%d\n", list[i]);
  return 0;
}

static int loopback(void) {
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int l = socket(AF_INET, SOCK_STREAM, 0);
  if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
      getsockname(l, (struct sockaddr *)&a, &len) < 0) {
    printf("listen: %s\n", strerror(errno));
    return 1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) {
      printf("connect: %s\n", strerror(errno));
      _exit(1);
    }
    _exit(write(c, "ping", 4) == 4 ? 0 : 1);
  }
  int s = accept(l, NULL, NULL);
  char buf[16] = {0};
  ssize_t got = 0, n;
  while (s >= 0 && got < 4 && (n = read(s, buf + got, 4 - got)) > 0)
    got += n;
  int status;
  waitpid(pid, &status, 0);
  printf("received %s\n", buf);
  return strcmp(buf, "ping") != 0;
}

static int connect_to(const char *addr, const char *port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(port))};
  inet_pton(AF_INET, addr, &a.sin_addr);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) {
    printf("connect: %s\n", strerror(errno));
    return 1;
  }
  printf("connected\n");
  return 0;
}

static int fail(int nr, int err, char **argv) {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof filter / sizeof filter[0], .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
    perror("probe: seccomp");
    return 125;
  }
  execv(argv[0], argv);
  perror("probe: execv");
  return 125;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *what = argc > 1 ? argv[1] : "";
  if (!strcmp(what, "argv")) {
    for (int i = 0; i < argc; i++)
      printf("argv[%d]=%s\n", i, argv[i]);
    return 0;
  }
  if (!strcmp(what, "seals"))
    return seals();
  if (!strcmp(what, "fds"))
    return fds();
  if (!strcmp(what, "loopback"))
    return loopback();
  if (!strcmp(what, "connect") && argc == 4)
    return connect_to(argv[2], argv[3]);
  if (!strcmp(what, "fail") && argc >= 5)
    return fail(atoi(argv[2]), atoi(argv[3]), argv + 4);
  fprintf(stderr, "probe: unknown request\n");
  return 125;
}
