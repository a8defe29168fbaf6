/*
 * Staged programs whose waker is easy to miss, for the tests: wakers MODE.
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
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void ready(int n, const pid_t *pids) {
  printf("ready");
  for (int i = 0; i < n; i++) printf(" %d", (int)pids[i]);
  printf("\n");
  fflush(stdout);
}

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
  if (!strcmp(what, "clone-vm-fed")) {
    size_t size = 64 * 1024;
    char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    sem_init(&sem, 0, 0);
    if (stack == MAP_FAILED) return 2;
    pids[0] = clone(waiter, stack + size, CLONE_VM | SIGCHLD, NULL);
    if (pids[0] < 0) return 2;
    pids[1] = getpid();
    ready(2, pids);
    for (;;) {
      sleep(5);
      sem_post(&sem);
    }
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
  if (!strcmp(what, "poll-hangup")) {
    int p[2];
    if (pipe(p)) return 2;
    if ((pids[1] = fork()) == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      close(p[0]);
      for (;;) sleep(60);
    }
    close(p[1]);
    ready(2, pids);
    struct pollfd w = {.fd = p[0], .events = 0};
    poll(&w, 1, -1);
    return 0;
  }
  fprintf(stderr, "usage: wakers MODE (see the comment at the top)\n");
  return 2;
}
