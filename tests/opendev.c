/* Whether device nodes open (SPEC §5.5: DIR and every mount in it are
   nodev): open O_RDONLY and O_WRONLY, never writing.

   opendev PATH...
       One line per PATH: `PATH rd=ok|ERR wr=ok|ERR`.
   opendev -g PATH...
       The same as the current gid and then (where the map allows
       setgroups/setresgid to it) as gid 0 and gid 6 (`disk`), one line
       each: `PATH gid=G rd=ok|ERR wr=ok|ERR`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static const char *try(const char *p, int flags) {
  int fd = open(p, flags | O_NONBLOCK);
  if (fd < 0) return strerror(errno);
  close(fd);
  return "ok";
}
int main(int argc, char **argv) {
  int by_gid = argc > 1 && strcmp(argv[1], "-g") == 0;
  int gids[] = {-1, 0, 6};
  for (int g = 0; g < (by_gid ? 3 : 1); g++) {
    if (gids[g] >= 0) {
      gid_t gid = gids[g];
      setgroups(1, &gid);
      if (setresgid(gid, gid, gid) != 0) continue;
    }
    for (int i = 1 + by_gid; i < argc; i++) {
      const char *rd = try(argv[i], O_RDONLY);
      const char *wr = try(argv[i], O_WRONLY);
      if (by_gid)
        printf("%s gid=%d rd=%s wr=%s\n", argv[i], (int)getegid(), rd, wr);
      else
        printf("%s rd=%s wr=%s\n", argv[i], rd, wr);
    }
  }
  return 0;
}
