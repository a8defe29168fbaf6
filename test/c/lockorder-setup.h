/* The locks lockorder.c's programs share, set up once before the program
 * runs (every lock process-shared but rp, rw-private's defect), and how the
 * two sides of a program are run one after the other. */
#ifndef TEST_LOCKORDER_SETUP_H
#define TEST_LOCKORDER_SETUP_H

#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
  pthread_mutex_t a, b, c, gate, m;
  pthread_cond_t cond;
  sem_t s1, s2, s;
  pthread_rwlock_t r1, r2, rp;
};

static struct shared *sh;
static pthread_mutex_t private_gate = PTHREAD_MUTEX_INITIALIZER;

static void init_mutex(pthread_mutex_t *m, int type, int robust) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_settype(&a, type);
  if (robust) pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(m, &a);
}

static void setup(void) {
  sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sh == MAP_FAILED) exit(2);
  init_mutex(&sh->a, PTHREAD_MUTEX_NORMAL, 0);
  init_mutex(&sh->b, PTHREAD_MUTEX_NORMAL, 0);
  init_mutex(&sh->c, PTHREAD_MUTEX_NORMAL, 0);
  init_mutex(&sh->gate, PTHREAD_MUTEX_NORMAL, 0);
  init_mutex(&sh->m, PTHREAD_MUTEX_NORMAL, 0);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  pthread_cond_init(&sh->cond, &ca);
  sem_init(&sh->s1, 1, 1);
  sem_init(&sh->s2, 1, 1);
  sem_init(&sh->s, 1, 0);
  pthread_rwlockattr_t ra;
  pthread_rwlockattr_init(&ra);
  pthread_rwlockattr_setpshared(&ra, PTHREAD_PROCESS_SHARED);
  pthread_rwlock_init(&sh->r1, &ra);
  pthread_rwlock_init(&sh->r2, &ra);
  pthread_rwlock_init(&sh->rp, NULL); /* private: rw-private's defect */
}

/* Runs f in a child and waits for it: the two sides never overlap. */
static void in_child(void (*f)(void)) {
  pid_t p = fork();
  if (p == 0) {
    f();
    _exit(0);
  }
  waitpid(p, NULL, 0);
}

static void in_thread(void *(*f)(void *)) {
  pthread_t t;
  pthread_create(&t, NULL, f, NULL);
  pthread_join(t, NULL);
}

static void ms_from_now(struct timespec *ts, long ms) {
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_nsec += ms * 1000000L;
  ts->tv_sec += ts->tv_nsec / 1000000000L;
  ts->tv_nsec %= 1000000000L;
}

#endif
