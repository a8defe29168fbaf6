/*
 * A correct process-shared handoff that hangs once: parent and child share a
 * process-shared mutex and condvar in MAP_SHARED memory; the child waits
 * (untimed) for a flag the parent sets and signals. On the iteration named
 * by its argument (against MVAR_REPRO_ITERATION, set by `soak`), the parent
 * never sets it: the child waits for ever, the parent in waitpid. For `diff`
 * of a traced hang against traced good iterations of the same command.
 *   flaky N
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

struct box {
  pthread_mutex_t m;
  pthread_cond_t c;
  int flag;
};

int main(int argc, char **argv) {
  const char *it = getenv("MVAR_REPRO_ITERATION");
  int lose = argc > 1 && it && atoi(it) == atoi(argv[1]);
  struct box *b = mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&b->m, &ma);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  pthread_cond_init(&b->c, &ca);
  pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    pthread_mutex_lock(&b->m);
    while (!b->flag) pthread_cond_wait(&b->c, &b->m);
    pthread_mutex_unlock(&b->m);
    _exit(0);
  }
  usleep(20000);
  pthread_mutex_lock(&b->m);
  if (!lose) {
    b->flag = 1;
    pthread_cond_signal(&b->c);
  }
  pthread_mutex_unlock(&b->m);
  waitpid(child, NULL, 0);
  return 0;
}
