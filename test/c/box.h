/* The box the test programs share: a mutex, a condvar and a flag in anonymous
 * MAP_SHARED memory, process-shared or left all-zero (process-private). */
#ifndef TEST_BOX_H
#define TEST_BOX_H

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

struct box {
  pthread_mutex_t m;
  pthread_cond_t c;
  int flag;
};

static inline struct box *shared_box(int pshared) {
  struct box *b = mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (b == MAP_FAILED) exit(2);
  if (pshared) {
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    pthread_condattr_init(&ca);
    pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&b->m, &ma);
    pthread_cond_init(&b->c, &ca);
  } /* else all-zero: process-private */
  return b;
}

#endif
