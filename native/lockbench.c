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
 *   mvar-lockbench work N R  as heavy, with R rounds of arithmetic (no memory,
 *                            no calls) before each pair: a lock-heavy program
 *                            that also computes; prints {"wallMs": X,
 *                            "workNsPerPair": W}, W the rounds' own time
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
static long rounds; /* work: arithmetic rounds before each pair */
static volatile uint64_t sink;

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

/* xorshift64: a dependent chain the compiler cannot fold or drop (the result is kept). */
static uint64_t compute(uint64_t x, long n) {
  for (long k = 0; k < n; k++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

static void *worker(void *arg) {
  (void)arg;
  uint64_t x = 88172645463325252ull;
  for (long i = 0; i < pairs; i++) {
    x = compute(x, rounds);
    pthread_mutex_lock(&sh->m);
    sh->counter++;
    if ((i & 63) == 0) pthread_cond_signal(&sh->c);
    pthread_mutex_unlock(&sh->m);
  }
  sink = x;
  return NULL;
}

/* What R rounds take on their own, per pair: the work a traced pair is set against. */
static double work_ns_per_pair(void) {
  const long n = 20000;
  uint64_t t0 = mvr_now_ns();
  sink = compute(sink | 1, n * rounds);
  return (double)(mvr_now_ns() - t0) / (double)n;
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
  const int work = argc == 4 && !strcmp(argv[1], "work");
  if (!work && (argc != 3 || (strcmp(argv[1], "calls") && strcmp(argv[1], "heavy") && strcmp(argv[1], "handoff")))) {
    fprintf(stderr, "usage: mvar-lockbench calls|heavy|handoff N, or work N ROUNDS\n");
    return 2;
  }
  pairs = atol(argv[2]);
  rounds = work ? atol(argv[3]) : 0;
  const double work_ns = work ? work_ns_per_pair() : 0;
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
  const int heavy = work || !strcmp(argv[1], "heavy");
  pid_t child = fork();
  if (child == 0) {
    if (heavy) two_threads();
    else handoff(1);
    _exit(0);
  }
  if (heavy) two_threads();
  else handoff(0);
  waitpid(child, NULL, 0);
  const double wall_ms = (double)(mvr_now_ns() - t0) / 1e6;
  if (work) printf("{\"wallMs\": %.2f, \"workNsPerPair\": %.1f}\n", wall_ms, work_ns);
  else printf("{\"wallMs\": %.2f}\n", wall_ms);
  return sh->counter == (uint64_t)pairs * (heavy ? 4 : 2) ? 0 : 1;
}
