/*
 * mvar-lockbench: a lock-heavy program for measuring what the preload library
 * costs (npm run bench runs it with and without the library, in one run).
 * Every primitive is process-shared and lives in a MAP_SHARED page: the kind
 * the library watches by default.
 *
 *   mvar-lockbench calls N   one thread, N uncontended lock/unlock pairs;
 *                            prints {"nsPerPair": X}
 *   mvar-lockbench heavy N   two processes of two threads each, N lock/unlock
 *                            pairs per thread around a tiny critical section,
 *                            a condvar signal every 64; prints {"wallMs": X}
 *                            (nothing but locking: the worst case for a tracer)
 *   mvar-lockbench handoff N two processes hand a token back and forth N times
 *                            through the mutex and a condvar, as an MVar's
 *                            take and put do; prints {"wallMs": X}
 */
#define _GNU_SOURCE
#include "clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared {
  pthread_mutex_t m;
  pthread_cond_t c;
  uint64_t counter;
  uint64_t turn; /* handoff: whose turn it is, 0 or 1 */
};

static struct shared *sh;
static long pairs;

static struct shared *map_shared(void) {
  struct shared *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (s == MAP_FAILED) {
    perror("mmap");
    exit(1);
  }
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&s->m, &ma);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  pthread_cond_init(&s->c, &ca);
  return s;
}

static void *worker(void *arg) {
  (void)arg;
  for (long i = 0; i < pairs; i++) {
    pthread_mutex_lock(&sh->m);
    sh->counter++;
    if ((i & 63) == 0) pthread_cond_signal(&sh->c);
    pthread_mutex_unlock(&sh->m);
  }
  return NULL;
}

static void handoff(uint64_t me) {
  for (long i = 0; i < pairs; i++) {
    pthread_mutex_lock(&sh->m);
    while (sh->turn != me) pthread_cond_wait(&sh->c, &sh->m);
    sh->turn = 1 - me;
    sh->counter++;
    pthread_cond_broadcast(&sh->c);
    pthread_mutex_unlock(&sh->m);
  }
}

static void two_threads(void) {
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, worker, NULL);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
}

int main(int argc, char **argv) {
  if (argc != 3 || (strcmp(argv[1], "calls") && strcmp(argv[1], "heavy") && strcmp(argv[1], "handoff"))) {
    fprintf(stderr, "usage: mvar-lockbench calls|heavy|handoff N\n");
    return 2;
  }
  pairs = atol(argv[2]);
  sh = map_shared();
  uint64_t t0 = mvr_now_ns();
  if (!strcmp(argv[1], "calls")) {
    for (long i = 0; i < pairs; i++) {
      pthread_mutex_lock(&sh->m);
      sh->counter++;
      pthread_mutex_unlock(&sh->m);
    }
    printf("{\"nsPerPair\": %.2f}\n", (double)(mvr_now_ns() - t0) / (double)pairs);
    return 0;
  }
  const int heavy = !strcmp(argv[1], "heavy");
  pid_t child = fork();
  if (child == 0) {
    if (heavy) two_threads();
    else handoff(1);
    _exit(0);
  }
  if (heavy) two_threads();
  else handoff(0);
  waitpid(child, NULL, 0);
  printf("{\"wallMs\": %.2f}\n", (double)(mvr_now_ns() - t0) / 1e6);
  return sh->counter == (uint64_t)pairs * (heavy ? 4 : 2) ? 0 : 1;
}
