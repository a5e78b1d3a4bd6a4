/* `catch SIG SECONDS`: handles SIG (prints `caught SIG`, exits 9),
   otherwise sleeps SECONDS and exits 0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static void on(int s) {
  char m[32];
  int n = snprintf(m, sizeof m, "caught %d\n", s);
  write(1, m, n);
  _exit(9);
}
int main(int argc, char **argv) {
  signal(atoi(argv[1]), on);
  struct timespec left = {atoi(argv[2]), 0};
  while (nanosleep(&left, &left) != 0)
    ;
  return 0;
}
