/*
 * The original defect in twenty lines, outside mvar-repro: a zero-initialised
 * (hence process-private) mutex and condvar in a MAP_SHARED mapping, waited on
 * by a child and signalled by its parent. The wake never reaches the child,
 * which sleeps forever in FUTEX_WAIT|FUTEX_PRIVATE_FLAG. Prints "<parent> <child>".
 * With argument "shared" the primitives are set up PTHREAD_PROCESS_SHARED and
 * the child wakes and exits: the healthy control.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

struct box { pthread_mutex_t m; pthread_cond_t c; int ready; };

int main(int argc, char **argv) {
  struct box *b = mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (b == MAP_FAILED) return 1;
  if (argc > 1 && strcmp(argv[1], "shared") == 0) {
    pthread_mutexattr_t ma; pthread_condattr_t ca;
    pthread_mutexattr_init(&ma); pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_condattr_init(&ca); pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&b->m, &ma); pthread_cond_init(&b->c, &ca);
  } /* else: left all-zero by mmap, i.e. process-private */
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    pthread_mutex_lock(&b->m);
    while (!b->ready) pthread_cond_wait(&b->c, &b->m);
    pthread_mutex_unlock(&b->m);
    _exit(0);
  }
  printf("%d %d\n", (int)parent, (int)child);
  fflush(stdout);
  usleep(200000); /* the child is asleep in the condvar by now */
  pthread_mutex_lock(&b->m);
  b->ready = 1;
  pthread_cond_signal(&b->c);
  pthread_mutex_unlock(&b->m);
  waitpid(child, NULL, 0); /* forever, in the defective case */
  return 0;
}
