/*
 * Programs for `mvar-repro check` (checks ARG): each finishes by itself (none
 * hangs), using primitives in shared memory correctly or not.
 *   shared-ok     a process-shared mutex and condvar in MAP_SHARED memory, parent and child
 *   zeroed-shm    the original defect: all-zero (process-private) mutex and condvar in a
 *                 /dev/shm object, used by parent and child with timed waits
 *   zeroed-shm-named NAME  the same in a /dev/shm object named NAME, a byte 0xff (not UTF-8) and the pid
 *   sem-private   sem_init(s, 0, 0) on a MAP_SHARED page, posted by a child
 *   sem-shared    the same with sem_init(s, 1, 0): correct
 *   sem-try       a process-shared semaphore: sem_trywait on 0 (EAGAIN), sem_clockwait
 *                 until a child posts, sem_trywait after a post (taken)
 *   cond-clock    a CLOCK_MONOTONIC condvar waited with a CLOCK_REALTIME deadline
 *   fork-exec     two threads; one forks and execs this program as zeroed-shm
 *   late-waiter   a child sets a flag in a process-shared box and signals; the parent
 *                 waits for it (cond-wait: the child is told while the parent holds the
 *                 mutex), or with CHECKS_LATE=1 first waits for the child to exit and
 *                 never has to wait: the same program, two schedules, each certain
 *                 however loaded the machine
 *   euid          prints its effective uid (is a set-user-ID copy really running as its owner?)
 *   late-first    three threads created in order; the k-th locks a shared mutex k times,
 *                 the last-created first (first traced call order is the reverse of creation)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "box.h"

static void handshake(struct box *b) {
  pid_t child = fork();
  if (child == 0) {
    struct timespec ts;
    pthread_mutex_lock(&b->m);
    while (!b->flag) {
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_nsec += 20000000;
      if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
      pthread_cond_timedwait(&b->c, &b->m, &ts); /* timed: it finishes even when the wake is lost */
    }
    pthread_mutex_unlock(&b->m);
    _exit(0);
  }
  usleep(50000);
  pthread_mutex_lock(&b->m);
  b->flag = 1;
  pthread_cond_signal(&b->c);
  pthread_mutex_unlock(&b->m);
  waitpid(child, NULL, 0);
}

static struct box clock_box = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};

/* Ends the cond-clock wait, whose deadline would otherwise lie decades ahead. */
static void *signal_later(void *arg) {
  (void)arg;
  usleep(50000);
  pthread_mutex_lock(&clock_box.m);
  clock_box.flag = 1;
  pthread_cond_signal(&clock_box.c);
  pthread_mutex_unlock(&clock_box.m);
  return NULL;
}

static void *idle(void *arg) {
  (void)arg;
  usleep(200000);
  return NULL;
}

static struct box *late_box;
static sem_t late_turn[3]; /* private, untraced: who locks next */

static void *lock_k_times(void *arg) {
  long k = (long)arg;
  sem_wait(&late_turn[k - 1]);
  for (long i = 0; i < k; i++) {
    pthread_mutex_lock(&late_box->m);
    pthread_mutex_unlock(&late_box->m);
  }
  if (k > 1) sem_post(&late_turn[k - 2]);
  return NULL;
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  if (!strcmp(what, "shared-ok")) {
    handshake(shared_box(1));
    return 0;
  }
  if (!strcmp(what, "zeroed-shm") || (!strcmp(what, "zeroed-shm-named") && argc > 2)) {
    char name[256];
    if (argc > 2) snprintf(name, sizeof name, "/%s\xff-%d", argv[2], (int)getpid());
    else snprintf(name, sizeof name, "/checks-test-%d", (int)getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return 2;
    struct box *b = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    shm_unlink(name);
    handshake(b); /* left all-zero: process-private */
    return 0;
  }
  if (!strcmp(what, "sem-private") || !strcmp(what, "sem-shared")) {
    sem_t *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    sem_init(s, !strcmp(what, "sem-shared"), 0);
    if (fork() == 0) {
      sem_post(s);
      _exit(0);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 1;
    sem_timedwait(s, &ts);
    wait(NULL);
    return 0;
  }
  if (!strcmp(what, "sem-try")) {
    sem_t *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    sem_init(s, 1, 0);
    if (sem_trywait(s) != -1) return 3;
    if (fork() == 0) {
      usleep(20000);
      sem_post(s);
      _exit(0);
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += 2;
    if (sem_clockwait(s, CLOCK_MONOTONIC, &ts) != 0) return 4;
    sem_post(s);
    if (sem_trywait(s) != 0) return 5;
    wait(NULL);
    return 0;
  }
  if (!strcmp(what, "cond-clock")) {
    static pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&clock_box.c, &ca);
    pthread_t t;
    pthread_create(&t, NULL, signal_later, NULL);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts); /* the wrong clock for this condvar: read as monotonic, decades away */
    ts.tv_sec += 1;
    pthread_mutex_lock(&clock_box.m);
    while (!clock_box.flag) pthread_cond_timedwait(&clock_box.c, &clock_box.m, &ts);
    pthread_mutex_unlock(&clock_box.m);
    pthread_join(t, NULL);
    return 0;
  }
  if (!strcmp(what, "fork-exec")) {
    pthread_t t;
    pthread_create(&t, NULL, idle, NULL);
    pid_t child = fork();
    if (child == 0) {
      execl("/proc/self/exe", argv[0], "zeroed-shm", (char *)NULL);
      _exit(127);
    }
    waitpid(child, NULL, 0);
    pthread_join(t, NULL);
    return 0;
  }
  if (!strcmp(what, "late-waiter")) {
    struct box *b = shared_box(1);
    int go[2];
    char c = 1;
    if (pipe(go) != 0) return 2;
    pid_t setter = fork();
    if (setter == 0) {
      if (read(go[0], &c, 1) != 1) _exit(5);
      pthread_mutex_lock(&b->m); /* free once the parent is in its wait, or has not locked yet */
      b->flag = 1;
      pthread_cond_signal(&b->c);
      pthread_mutex_unlock(&b->m);
      _exit(0);
    }
    if (getenv("CHECKS_LATE")) {
      if (write(go[1], &c, 1) != 1) return 5;
      waitpid(setter, NULL, 0); /* the flag is set before the parent looks */
      pthread_mutex_lock(&b->m);
    } else {
      pthread_mutex_lock(&b->m); /* told while holding the mutex: the setter gets it only inside the wait */
      if (write(go[1], &c, 1) != 1) return 5;
    }
    while (!b->flag) pthread_cond_wait(&b->c, &b->m);
    pthread_mutex_unlock(&b->m);
    wait(NULL);
    return 0;
  }
  if (!strcmp(what, "euid")) {
    printf("%d\n", (int)geteuid());
    return 0;
  }
  if (!strcmp(what, "late-first")) {
    late_box = shared_box(1);
    pthread_t t[3];
    for (long k = 1; k <= 3; k++) {
      sem_init(&late_turn[k - 1], 0, k == 3);
      pthread_create(&t[k - 1], NULL, lock_k_times, (void *)k);
    }
    for (int k = 0; k < 3; k++) pthread_join(t[k], NULL);
    return 0;
  }
  fprintf(stderr, "checks: unknown program '%s'\n", what);
  return 2;
}
