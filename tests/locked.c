/* What a hostile container root tries against the mounts contain made
   (tests/locked.rs, issue 21 "Locked flags"), one system call per request,
   one line per result: "REQUEST ARGS: ok" or "REQUEST ARGS: ERRNO-NAME".
   Built by tests/common/probe.rs with cc -static.

     remount PATH bind|sb FLAG  mount(2) MS_REMOUNT (with MS_BIND for
                                "bind") keeping every flag PATH has now
                                (statvfs) but FLAG (rdonly, nodev, nosuid,
                                noexec; "none" keeps them all: a control)
     setattr PATH FLAG [rec]    mount_setattr(2) clearing FLAG's
                                MOUNT_ATTR_* ("none": clears nothing)
     umount PATH [detach]       umount2(2), with MNT_DETACH for "detach"
     move FROM TO               mount(2) MS_MOVE
     new TYPE PATH              a new mount of TYPE at PATH, no flags
     write PATH TEXT            open(2) O_WRONLY|O_CREAT|O_TRUNC, write,
                                fsync (a block device: its first bytes)
     escape HOSTPATH            the classic chroot escape: chroot into a
                                subdirectory keeping a descriptor of /,
                                climb with "..", chroot there, then look
                                for HOSTPATH (tests/contain.rs too) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#define ATTR_RDONLY 0x1
#define ATTR_NOSUID 0x2
#define ATTR_NODEV 0x4
#define ATTR_NOEXEC 0x8
#define RECURSIVE 0x8000 /* AT_RECURSIVE */

struct mount_attr_v0 {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static const char *name(int e) {
  static char other[32];
  switch (e) {
  case EPERM: return "EPERM";
  case EACCES: return "EACCES";
  case EINVAL: return "EINVAL";
  case EROFS: return "EROFS";
  case ENOENT: return "ENOENT";
  case EBUSY: return "EBUSY";
  case ENOSYS: return "ENOSYS";
  case ENOTDIR: return "ENOTDIR";
  case ENXIO: return "ENXIO";
  }
  snprintf(other, sizeof other, "errno %d", e);
  return other;
}

static int say(int r) {
  printf("%s\n", r == 0 ? "ok" : name(errno));
  return 0;
}

/* statvfs's ST_* flag and mount(2)'s MS_* flag of each name. */
static const struct {
  const char *name;
  unsigned long st, ms, attr;
} flags[] = {
    {"rdonly", ST_RDONLY, MS_RDONLY, ATTR_RDONLY},
    {"nosuid", ST_NOSUID, MS_NOSUID, ATTR_NOSUID},
    {"nodev", ST_NODEV, MS_NODEV, ATTR_NODEV},
    {"noexec", ST_NOEXEC, MS_NOEXEC, ATTR_NOEXEC},
    {"noatime", ST_NOATIME, MS_NOATIME, 0},
    {"nodiratime", ST_NODIRATIME, MS_NODIRATIME, 0},
    {"relatime", ST_RELATIME, MS_RELATIME, 0},
};
#define NFLAGS (sizeof flags / sizeof flags[0])

static int known(const char *flag) {
  if (strcmp(flag, "none") == 0)
    return 1;
  for (unsigned i = 0; i < NFLAGS; i++)
    if (strcmp(flag, flags[i].name) == 0)
      return 1;
  fprintf(stderr, "locked: unknown flag %s\n", flag);
  return 0;
}

static int remount(const char *path, const char *how, const char *clear) {
  struct statvfs st;
  if (!known(clear))
    return 2;
  printf("remount %s %s -%s: ", path, how, clear);
  if (statvfs(path, &st) != 0) {
    printf("statvfs: %s\n", name(errno));
    return 0;
  }
  unsigned long ms = MS_REMOUNT | (strcmp(how, "bind") == 0 ? MS_BIND : 0);
  for (unsigned i = 0; i < NFLAGS; i++)
    if ((st.f_flag & flags[i].st) && strcmp(clear, flags[i].name) != 0)
      ms |= flags[i].ms;
  return say(mount(NULL, path, NULL, ms, NULL));
}

static int setattr(const char *path, const char *clear, int rec) {
  struct mount_attr_v0 attr = {0};
  if (!known(clear))
    return 2;
  for (unsigned i = 0; i < NFLAGS; i++)
    if (strcmp(clear, flags[i].name) == 0)
      attr.attr_clr = flags[i].attr;
  printf("setattr %s -%s%s: ", path, clear, rec ? " rec" : "");
  return say(syscall(SYS_mount_setattr, AT_FDCWD, path, rec ? RECURSIVE : 0, &attr, sizeof attr));
}

static int writes(const char *path, const char *text) {
  printf("write %s: ", path);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) {
    printf("open: %s\n", name(errno));
    return 0;
  }
  size_t n = strlen(text);
  if (write(fd, text, n) != (ssize_t)n) {
    printf("write: %s\n", name(errno));
    return 0;
  }
  return say(fsync(fd));
}

static int escape(const char *host) {
  mkdir("/tmp/escape", 0755);
  int fd = open("/", O_RDONLY | O_DIRECTORY);
  if (fd < 0 || chroot("/tmp/escape") != 0) {
    printf("escape chroot: %s\n", name(errno));
    return 0;
  }
  if (fchdir(fd) != 0) {
    printf("escape fchdir: %s\n", name(errno));
    return 0;
  }
  for (int i = 0; i < 256; i++)
    chdir("..");
  chroot(".");
  chdir("/");
  printf("escape: %s %s\n", host, access(host, F_OK) == 0 ? "found" : "not found");
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc == 5 && strcmp(argv[1], "remount") == 0)
    return remount(argv[2], argv[3], argv[4]);
  if ((argc == 4 || argc == 5) && strcmp(argv[1], "setattr") == 0)
    return setattr(argv[2], argv[3], argc == 5 && strcmp(argv[4], "rec") == 0);
  if ((argc == 3 || argc == 4) && strcmp(argv[1], "umount") == 0) {
    int detach = argc == 4 && strcmp(argv[3], "detach") == 0;
    printf("umount %s%s: ", argv[2], detach ? " detach" : "");
    return say(umount2(argv[2], detach ? MNT_DETACH : 0));
  }
  if (argc == 4 && strcmp(argv[1], "move") == 0) {
    printf("move %s %s: ", argv[2], argv[3]);
    return say(mount(argv[2], argv[3], NULL, MS_MOVE, NULL));
  }
  if (argc == 4 && strcmp(argv[1], "new") == 0) {
    printf("new %s %s: ", argv[2], argv[3]);
    return say(mount(argv[2], argv[3], argv[2], 0, NULL));
  }
  if (argc == 4 && strcmp(argv[1], "write") == 0)
    return writes(argv[2], argv[3]);
  if (argc == 3 && strcmp(argv[1], "escape") == 0)
    return escape(argv[2]);
  fprintf(stderr, "usage: locked remount|setattr|umount|move|new|write|escape ...\n");
  return 2;
}
