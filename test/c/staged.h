/* What the staged programs of the diagnosis tests share (hangs.c, waits.c,
 * wakers.c; test/staged.ts runs them): the "ready PID..." line a test waits
 * for, children that die with their parent, and the plainest hang of all, two
 * threads deadlocked ABBA on two mutexes. */
#ifndef TEST_STAGED_H
#define TEST_STAGED_H

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

/* "ready PID...": set up; the processes to diagnose, the interesting ones first. */
static inline void ready(int n, const pid_t *pids) {
  printf("ready");
  for (int i = 0; i < n; i++) printf(" %d", (int)pids[i]);
  printf("\n");
  fflush(stdout);
}

static inline void die_with_parent(void) { prctl(PR_SET_PDEATHSIG, SIGKILL); }

/* fork() with the child dying with its parent. */
static inline pid_t child(void) {
  pid_t p = fork();
  if (p == 0) die_with_parent();
  return p;
}

static inline void forever(void) {
  for (;;) pause();
}

static pthread_mutex_t abba_a, abba_b;
static pthread_barrier_t abba_both;
static inline void *abba_thread(void *first) {
  pthread_mutex_lock(first ? &abba_a : &abba_b);
  pthread_barrier_wait(&abba_both); /* both hold their first */
  pthread_mutex_lock(first ? &abba_b : &abba_a);
  return NULL;
}

/* Two threads take two mutexes of this protocol (PTHREAD_PRIO_NONE, PTHREAD_PRIO_INHERIT) in
 * opposite orders; once both wait, "ready" with this process, and main joins one for ever. */
static inline int abba_threads(int protocol) {
  pthread_t t1, t2;
  pthread_mutexattr_t a;
  pid_t self = getpid();
  pthread_barrier_init(&abba_both, NULL, 2);
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setprotocol(&a, protocol);
  pthread_mutex_init(&abba_a, &a);
  pthread_mutex_init(&abba_b, &a);
  pthread_create(&t1, NULL, abba_thread, (void *)1);
  pthread_create(&t2, NULL, abba_thread, NULL);
  usleep(100000);
  ready(1, &self);
  pthread_join(t1, NULL);
  return 0;
}

#endif
