/*
 * Staged programs at the edge of who can end a wait, for the tests: wakers MODE.
 * Like waits.c, each prints "ready PID..." once set up (the processes to
 * diagnose), then stays as it is; children die with their parent.
 *
 * never stuck (something the tool must see can end the wait):
 *   handler-sem        main in sem_wait on a private semaphore that its SIGUSR1
 *                      handler posts (sem_post is async-signal-safe): ends,
 *                      exit 0, on `kill -USR1 PID`
 *   term-self-pipe     a daemon idle until told to stop: main reads a pipe
 *                      only its SIGTERM handler writes (the self-pipe idiom);
 *                      ends, exit 0, on `kill PID`
 *   clone-vm-fed       a process made by clone(CLONE_VM) without CLONE_THREAD
 *                      waits on a private semaphore; its parent, another
 *                      process in the same address space, posts it every 5 s
 *   poll-many          poll() on 4097 entries: 4096 on a pipe only the caller
 *                      writes, the last on a pipe a live child writes every
 *                      5 s (more than the tool reads from memory)
 *   poll-hangup        poll() for no event on a pipe, to learn when its writer,
 *                      a live child that sleeps, goes away (POLLHUP)
 *   poll-write-end     the same on a pipe's write end, to learn when its reader
 *                      goes (POLLERR)
 *   vm-siblings        two clone(CLONE_VM) children of a process that then execs:
 *                      one waits on a private semaphore the other posts every 5 s
 * stuck for good (the waker the tool might imagine is not there):
 *   oneshot-disarmed   epoll_wait on a pipe added with EPOLLONESHOT that fired
 *                      once and was never re-armed (a live child keeps writing)
 *   shared-sem-term    waits on a process-shared semaphore used as a lock that an
 *                      exited child took; the waiter cleans up on SIGTERM
 *   private-cond-lost  waits on a condvar in MAP_SHARED memory initialised
 *                      without PTHREAD_PROCESS_SHARED, beside an idle thread; a
 *                      child signals it every second, and it never wakes
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "staged.h"

static sem_t sem;
static void post(int sig) {
  (void)sig;
  sem_post(&sem);
}

static int self_pipe[2];
static void stop(int sig) {
  (void)sig;
  if (write(self_pipe[1], "x", 1) != 1) _exit(5);
}

static void cleanup(int sig) { _exit(128 + sig); }
static void *idle(void *arg) {
  (void)arg;
  for (;;) sleep(1);
  return NULL;
}
static char *stack_top(void) {
  size_t size = 64 * 1024;
  char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) exit(2);
  return stack + size;
}
static int poster(void *arg) {
  (void)arg;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  for (;;) {
    sleep(5);
    sem_post(&sem);
  }
  return 0;
}

/* clone-vm-fed: the clone's body, on a stack of its own in the shared memory */
static int waiter(void *arg) {
  (void)arg;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  for (;;) sem_wait(&sem);
  return 0;
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  pid_t pids[2] = {getpid(), 0};
  setpgid(0, 0);
  if (!strcmp(what, "handler-sem")) {
    sem_init(&sem, 0, 0);
    signal(SIGUSR1, post);
    ready(1, pids);
    while (sem_wait(&sem) != 0) {
    }
    return 0;
  }
  if (!strcmp(what, "term-self-pipe")) {
    char c;
    if (pipe(self_pipe)) return 2;
    signal(SIGTERM, stop);
    ready(1, pids);
    while (read(self_pipe[0], &c, 1) != 1) {
    }
    return 0;
  }
  if (!strcmp(what, "clone-vm-fed") || !strcmp(what, "vm-siblings")) {
    sem_init(&sem, 0, 0);
    pids[0] = clone(waiter, stack_top(), CLONE_VM | SIGCHLD, NULL);
    if (what[0] == 'v') {
      pids[1] = clone(poster, stack_top(), CLONE_VM | SIGCHLD, NULL);
      ready(2, pids);
      execlp("sleep", "sleep", "1000", (char *)NULL);
      return 2;
    }
    pids[1] = getpid();
    ready(2, pids);
    poster(NULL);
  }
  if (!strcmp(what, "oneshot-disarmed")) {
    int p[2], e = epoll_create1(0);
    char b[64];
    if (pipe(p) || e < 0) return 2;
    if ((pids[1] = fork()) == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      for (;;) {
        if (write(p[1], "x", 1) != 1) _exit(5);
        sleep(1);
      }
    }
    close(p[1]);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT}, out;
    epoll_ctl(e, EPOLL_CTL_ADD, p[0], &ev);
    ready(2, pids);
    for (;;) {
      epoll_wait(e, &out, 1, -1);
      if (read(p[0], b, sizeof b) < 0) return 6; /* the bug: never re-armed with EPOLL_CTL_MOD */
    }
  }
  if (!strcmp(what, "shared-sem-term")) {
    sem_t *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    signal(SIGTERM, cleanup);
    if (s == MAP_FAILED || sem_init(s, 1, 1)) return 2;
    pid_t c = fork();
    if (c == 0) _exit(sem_wait(s)); /* takes it and exits holding it */
    waitpid(c, NULL, 0);
    ready(1, pids);
    sem_wait(s);
    return 0;
  }
  if (!strcmp(what, "private-cond-lost")) {
    struct shared {
      pthread_mutex_t m;
      pthread_cond_t c;
      int ready;
    } *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_t t;
    if (s == MAP_FAILED) return 2;
    pthread_mutex_init(&s->m, NULL); /* the defect: not PTHREAD_PROCESS_SHARED */
    pthread_cond_init(&s->c, NULL);
    if ((pids[1] = fork()) == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      for (;;) {
        sleep(1);
        pthread_mutex_lock(&s->m);
        s->ready = 1;
        pthread_cond_signal(&s->c);
        pthread_mutex_unlock(&s->m);
      }
    }
    pthread_create(&t, NULL, idle, NULL);
    ready(2, pids);
    pthread_mutex_lock(&s->m);
    while (!s->ready) pthread_cond_wait(&s->c, &s->m);
    return 0;
  }
  if (!strcmp(what, "poll-many")) {
    enum { N = 4097 };
    static struct pollfd p[N];
    int mine[2], fed[2];
    if (pipe(mine) || pipe(fed)) return 2;
    if ((pids[1] = fork()) == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      for (;;) {
        sleep(5);
        if (write(fed[1], "x", 1) != 1) _exit(5);
      }
    }
    close(fed[1]);
    for (int i = 0; i < N; i++) p[i] = (struct pollfd){.fd = i == N - 1 ? fed[0] : mine[0], .events = POLLIN};
    ready(2, pids);
    for (;;) {
      char c;
      poll(p, N, -1);
      if (read(fed[0], &c, 1) != 1) return 6;
    }
  }
  if (!strcmp(what, "poll-hangup") || !strcmp(what, "poll-write-end")) {
    int p[2], hangup = what[5] == 'h';
    if (pipe(p)) return 2;
    if ((pids[1] = fork()) == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      close(p[hangup ? 0 : 1]);
      for (;;) sleep(60);
    }
    close(p[hangup ? 1 : 0]);
    ready(2, pids);
    struct pollfd w = {.fd = p[hangup ? 0 : 1], .events = 0};
    poll(&w, 1, -1);
    return 0;
  }
  fprintf(stderr, "usage: wakers MODE (see the comment at the top)\n");
  return 2;
}
