/* Dies by a real SIGSEGV (a PID 1 ignores a SIGSEGV sent to it, but not
   one it causes). */
#include <signal.h>
int main(void) {
  signal(SIGSEGV, SIG_DFL);
  volatile int *p = (int *)0;
  *p = 1;
  return 0;
}
