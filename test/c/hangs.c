/*
 * Small programs that hang (or do not) in the ways users' programs do, for
 * the diagnosis tests: hangs ARGS... runs one scenario. Every scenario prints
 * "ready PID..." (the processes to diagnose, the interesting one first) once
 * it is set up, then stays as it is until killed. Every process dies with the
 * test (PR_SET_PDEATHSIG on children; the test kills the top one).
 *
 *   thread-deadlock    two threads of one process, two private mutexes, ABBA
 *   orphan-waiter      a waiter on a process-shared condvar whose only signaller
 *                      exited; the parent sits in waitpid
 *   blocked-signaller  a waiter whose only possible signaller is blocked for
 *                      ever in read() on a pipe nobody writes
 *   pipe-deadlock      two processes each writing a full pipe only the other reads
 *   flock-deadlock DIR two processes each holding one flock() and waiting for
 *                      the other's
 *   many-waiters N     N processes waiting on one zero-initialised (private)
 *                      condvar in shared memory, signalled by their parent
 *   timedlock N        N processes in pthread_mutex_timedlock (60 s) on a private
 *                      mutex in shared memory that a sleeping process holds
 *   relock             one thread locking a normal mutex it already holds
 *   sem-deadlock       two processes each in sem_wait on a shared semaphore only
 *                      the other would post
 *   socket-deadlock    two processes each reading the socket pair end only the other writes
 *   leave-shm N        creates /dev/shm/hangs-test-PID, starts N children that
 *                      sleep, and relocks a mutex (its tree and object are left)
 *   vfork-wait         a vfork child that _exits at once; the parent then waits for
 *                      ever on a process-shared condvar nobody signals
 *   sem-abba           two processes, two process-shared semaphores at 1 used as
 *                      locks: each takes one, then waits for the other's
 *   sem-consumers      two consumers each take one of two items, then wait on the
 *                      semaphore for more; the producer has exited (no cycle: no producer)
 * healthy controls (nothing is stuck):
 *   sleep              a long sleep
 *   ping-pong          two processes passing a token through timed condvar waits
 *   late-writer [socket]  a reader on a pipe (or socket pair) whose writer writes in 60 s
 *   idle-pool          four idle workers on a private condvar; main sleeps
 *   busy-signaller     a long timed wait whose signaller is busy computing
 *   sibling-signals F  an untimed wait on a private condvar in a file mapping
 *                      (file F) only this process maps; a sibling signals it
 *                      every second
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "box.h"
#include "staged.h"

static void wait_flag(struct box *b) {
  pthread_mutex_lock(&b->m);
  while (!b->flag) pthread_cond_wait(&b->c, &b->m);
  pthread_mutex_unlock(&b->m);
}

/* pipe-deadlock: write until the pipe is full and the write blocks */
static void flood(int fd) {
  static char buf[65536];
  for (;;)
    if (write(fd, buf, sizeof buf) < 0 && errno != EINTR) _exit(3);
}

/* flock-deadlock */
static void lock_two(const char *dir, const char *first, const char *second, int go_read, int go_write) {
  char a[4096], b[4096];
  snprintf(a, sizeof a, "%s/%s", dir, first);
  snprintf(b, sizeof b, "%s/%s", dir, second);
  int fa = open(a, O_RDWR | O_CREAT, 0600), fb = open(b, O_RDWR | O_CREAT, 0600);
  if (fa < 0 || fb < 0 || flock(fa, LOCK_EX) != 0) _exit(4);
  char c = 1;
  if (write(go_write, &c, 1) != 1 || read(go_read, &c, 1) != 1) _exit(5); /* both hold their first lock */
  flock(fb, LOCK_EX);
  _exit(0);
}

/* idle-pool and sibling-signals */
static struct box *pool_box;
static void *idle_worker(void *arg) {
  (void)arg;
  wait_flag(pool_box);
  return NULL;
}

static void *busy(void *arg) {
  volatile unsigned long x = 0;
  (void)arg;
  for (;;) x++;
  return NULL;
}

static void timed_wait_flag(struct box *b, int seconds) {
  struct timespec ts;
  pthread_mutex_lock(&b->m);
  while (!b->flag) {
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += seconds;
    pthread_cond_timedwait(&b->c, &b->m, &ts);
  }
  pthread_mutex_unlock(&b->m);
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  pid_t self = getpid();

  if (!strcmp(what, "thread-deadlock")) return abba_threads(PTHREAD_PRIO_NONE);

  if (!strcmp(what, "orphan-waiter")) {
    struct box *b = shared_box(1);
    pid_t w = fork();
    if (w == 0) { die_with_parent(); wait_flag(b); _exit(0); }
    pid_t s = fork();
    if (s == 0) { die_with_parent(); _exit(0); } /* the signaller leaves without signalling */
    usleep(100000);
    pid_t pids[] = {w, self};
    ready(2, pids);
    while (waitpid(-1, NULL, 0) > 0) {}
    return 0;
  }

  if (!strcmp(what, "blocked-signaller")) {
    struct box *b = shared_box(1);
    pid_t w = fork();
    if (w == 0) { die_with_parent(); wait_flag(b); _exit(0); }
    int p[2];
    if (pipe(p) != 0) return 2;
    pid_t s = fork();
    if (s == 0) {
      char c;
      die_with_parent();
      /* keeps its own write end open: the read can never see EOF */
      if (read(p[0], &c, 1) == 1) {
        pthread_mutex_lock(&b->m);
        b->flag = 1;
        pthread_cond_signal(&b->c);
        pthread_mutex_unlock(&b->m);
      }
      _exit(0);
    }
    close(p[0]);
    close(p[1]);
    usleep(100000);
    pid_t pids[] = {w, s, self};
    ready(3, pids);
    while (waitpid(-1, NULL, 0) > 0) {}
    return 0;
  }

  if (!strcmp(what, "pipe-deadlock")) {
    int ab_[2], ba[2];
    if (pipe(ab_) != 0 || pipe(ba) != 0) return 2;
    pid_t a = fork();
    if (a == 0) { die_with_parent(); close(ab_[0]); close(ba[1]); flood(ab_[1]); }
    pid_t b = fork();
    if (b == 0) { die_with_parent(); close(ba[0]); close(ab_[1]); flood(ba[1]); }
    close(ab_[0]); close(ab_[1]); close(ba[0]); close(ba[1]);
    usleep(200000);
    pid_t pids[] = {a, b, self};
    ready(3, pids);
    while (waitpid(-1, NULL, 0) > 0) {}
    return 0;
  }

  if (!strcmp(what, "socket-deadlock")) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 2;
    char c;
    pid_t a = fork();
    if (a == 0) { die_with_parent(); close(sv[1]); _exit(read(sv[0], &c, 1) < 0 ? 3 : 0); }
    pid_t b = fork();
    if (b == 0) { die_with_parent(); close(sv[0]); _exit(recv(sv[1], &c, 1, 0) < 0 ? 3 : 0); }
    close(sv[0]); close(sv[1]);
    usleep(200000);
    pid_t pids[] = {a, b, self};
    ready(3, pids);
    while (waitpid(-1, NULL, 0) > 0) {}
    return 0;
  }

  if (!strcmp(what, "flock-deadlock") && argc > 2) {
    int x[2], y[2];
    if (pipe(x) != 0 || pipe(y) != 0) return 2;
    pid_t a = fork();
    if (a == 0) { die_with_parent(); lock_two(argv[2], "one", "two", y[0], x[1]); }
    pid_t b = fork();
    if (b == 0) { die_with_parent(); lock_two(argv[2], "two", "one", x[0], y[1]); }
    usleep(200000);
    pid_t pids[] = {a, b, self};
    ready(3, pids);
    while (waitpid(-1, NULL, 0) > 0) {}
    return 0;
  }

  if (!strcmp(what, "many-waiters") && argc > 2) {
    int n = atoi(argv[2]);
    struct box *b = shared_box(0);
    pid_t *pids = calloc((size_t)n + 1, sizeof *pids);
    for (int i = 0; i < n; i++) {
      pids[i] = fork();
      if (pids[i] == 0) { die_with_parent(); wait_flag(b); _exit(0); }
      /* One at a time: two waiters locking the private mutex at once can leave
       * one asleep on it for good (a private futex is woken only from its own process). */
      usleep(20000);
    }
    usleep(300000);
    pthread_mutex_lock(&b->m);
    b->flag = 1;
    pthread_cond_broadcast(&b->c);
    pthread_mutex_unlock(&b->m);
    usleep(100000);
    pids[n] = self;
    ready(n + 1, pids);
    while (waitpid(-1, NULL, 0) > 0) {}
    return 0;
  }

  if (!strcmp(what, "timedlock") && argc > 2) {
    int n = atoi(argv[2]);
    struct box *b = shared_box(0);
    pid_t *pids = calloc((size_t)n + 1, sizeof *pids);
    pid_t holder = fork();
    if (holder == 0) { die_with_parent(); pthread_mutex_lock(&b->m); for (;;) sleep(1000); }
    usleep(100000);
    for (int i = 0; i < n; i++) {
      pids[i] = fork();
      if (pids[i] == 0) {
        struct timespec ts;
        die_with_parent();
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 60;
        pthread_mutex_timedlock(&b->m, &ts);
        _exit(0);
      }
    }
    usleep(200000);
    pids[n] = holder;
    ready(n + 1, pids);
    while (waitpid(-1, NULL, 0) > 0) {}
    return 0;
  }

  if (!strcmp(what, "sem-deadlock")) {
    sem_t *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    sem_init(&s[0], 1, 0);
    sem_init(&s[1], 1, 0);
    pid_t c = fork();
    if (c == 0) { die_with_parent(); sem_wait(&s[0]); sem_post(&s[1]); _exit(0); }
    pid_t pids[] = {c, self};
    ready(2, pids);
    sem_wait(&s[1]);
    sem_post(&s[0]);
    waitpid(c, NULL, 0);
    return 0;
  }

  if (!strcmp(what, "sem-abba")) {
    sem_t *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    sem_init(&s[0], 1, 1);
    sem_init(&s[1], 1, 1);
    pid_t c[2];
    for (int i = 0; i < 2; i++) {
      c[i] = fork();
      if (c[i] == 0) {
        die_with_parent();
        sem_wait(&s[i]);
        usleep(100000); /* the other has taken its own by now */
        sem_wait(&s[1 - i]);
        _exit(0);
      }
    }
    usleep(300000);
    pid_t pids[] = {c[0], c[1], self};
    ready(3, pids);
    while (waitpid(-1, NULL, 0) > 0) {}
    return 0;
  }

  if (!strcmp(what, "sem-consumers")) {
    sem_t *s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    sem_init(&s[0], 1, 0); /* the items */
    sem_init(&s[1], 1, 0); /* a gate: each consumer takes one item, no more, before it opens */
    pid_t c[2];
    for (int i = 0; i < 2; i++) {
      c[i] = fork();
      if (c[i] == 0) {
        die_with_parent();
        sem_wait(&s[0]);
        sem_wait(&s[1]);
        sem_wait(&s[0]);
        _exit(0);
      }
    }
    pid_t producer = fork();
    if (producer == 0) {
      sem_post(&s[0]);
      sem_post(&s[0]);
      usleep(100000);
      sem_post(&s[1]);
      sem_post(&s[1]);
      _exit(0);
    }
    waitpid(producer, NULL, 0);
    usleep(200000);
    pid_t pids[] = {c[0], c[1], self};
    ready(3, pids);
    while (waitpid(-1, NULL, 0) > 0) {}
    return 0;
  }

  if (!strcmp(what, "relock")) {
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    ready(1, &self);
    pthread_mutex_lock(&m);
    pthread_mutex_lock(&m);
    return 0;
  }

  if (!strcmp(what, "leave-shm") && argc > 2) {
    char name[64];
    snprintf(name, sizeof name, "/hangs-test-%d", (int)self);
    int fd = shm_open(name, O_RDWR | O_CREAT, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return 2;
    for (int i = 0, n = atoi(argv[2]); i < n; i++)
      if (fork() == 0) { sleep(1000); _exit(0); } /* no parent-death signal: they would be orphans */
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    ready(1, &self);
    pthread_mutex_lock(&m);
    pthread_mutex_lock(&m);
    return 0;
  }

  if (!strcmp(what, "vfork-wait")) {
    struct box *b = shared_box(1);
    if (vfork() == 0) _exit(0);
    pthread_mutex_lock(&b->m);
    ready(1, &self);
    while (!b->flag) pthread_cond_wait(&b->c, &b->m);
    return 0;
  }
  if (!strcmp(what, "sleep")) {
    ready(1, &self);
    sleep(1000);
    return 0;
  }

  if (!strcmp(what, "ping-pong")) {
    struct box *b = shared_box(1);
    pid_t other = fork();
    int me = other == 0 ? 1 : 0;
    if (other == 0) die_with_parent();
    else {
      pid_t pids[] = {self, other};
      ready(2, pids);
    }
    for (;;) {
      struct timespec ts;
      pthread_mutex_lock(&b->m);
      while (b->flag != me) {
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000;
        if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
        pthread_cond_timedwait(&b->c, &b->m, &ts);
      }
      pthread_mutex_unlock(&b->m);
      usleep(300000);
      pthread_mutex_lock(&b->m);
      b->flag = 1 - me;
      pthread_cond_broadcast(&b->c);
      pthread_mutex_unlock(&b->m);
    }
  }

  if (!strcmp(what, "late-writer")) {
    /* late-writer socket: the same through a Unix socket pair */
    int p[2];
    if (argc > 2 && !strcmp(argv[2], "socket") ? socketpair(AF_UNIX, SOCK_STREAM, 0, p) != 0 : pipe(p) != 0) return 2;
    pid_t w = fork();
    if (w == 0) { die_with_parent(); close(p[0]); sleep(60); if (write(p[1], "x", 1) != 1) _exit(3); _exit(0); }
    close(p[1]);
    pid_t pids[] = {self, w};
    ready(2, pids);
    char c;
    if (read(p[0], &c, 1) < 0) return 3;
    return 0;
  }

  if (!strcmp(what, "idle-pool")) {
    pthread_t t;
    static struct box local;
    pool_box = &local;
    for (int i = 0; i < 4; i++) pthread_create(&t, NULL, idle_worker, NULL);
    usleep(100000);
    ready(1, &self);
    sleep(1000);
    return 0;
  }

  if (!strcmp(what, "busy-signaller")) {
    struct box *b = shared_box(1);
    pid_t w = fork();
    if (w == 0) { die_with_parent(); timed_wait_flag(b, 60); _exit(0); }
    pthread_t t;
    pthread_create(&t, NULL, busy, NULL);
    usleep(100000);
    pid_t pids[] = {w, self};
    ready(2, pids);
    pthread_join(t, NULL);
    return 0;
  }

  if (!strcmp(what, "sibling-signals") && argc > 2) {
    int fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return 2;
    pool_box = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (pool_box == MAP_FAILED) return 2;
    pthread_t t;
    pthread_create(&t, NULL, idle_worker, NULL);
    usleep(100000);
    ready(1, &self);
    for (;;) {
      sleep(1);
      pthread_mutex_lock(&pool_box->m);
      pthread_cond_signal(&pool_box->c); /* a wake-up; the flag stays 0, so it waits again */
      pthread_mutex_unlock(&pool_box->m);
    }
  }

  fprintf(stderr, "hangs: unknown scenario '%s'\n", what);
  return 2;
}
