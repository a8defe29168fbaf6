/*
 * One staged program per kind of wait the diagnosis follows (its modules in
 * src/core/diagnosis/waits/), stuck and healthy, for the tests: waits MODE
 * [ARG]. Like hangs.c, each prints "ready PID..." (the processes to diagnose,
 * the interesting ones first) once set up, then stays as it is. Children die
 * with their parent. No mode cleans up on a signal (see below): a System V
 * semaphore set is printed as "semid N" for the caller to remove, and a
 * message queue is unlinked as soon as it is open.
 *
 * stuck for good:
 *   fork-copied-lock   a thread holds a private mutex while main forks; the
 *                      child locks its copy (the parent waits for the child)
 *   ofd-deadlock DIR   two processes each holding an OFD byte-range lock and
 *                      waiting for the other's (the kernel does not detect it)
 *   epoll-cycle        A in epoll_wait on a pipe only B writes, B in poll on a
 *                      pipe only A writes
 *   select-cycle       the same with select() in B
 *   term-cycle         the same with read() in both, each catching SIGTERM to
 *                      exit (a handler that stops the process ends no one
 *                      else's wait)
 *   eventfd-cycle      A reads an eventfd only B writes, B one only A writes
 *   timerfd-disarmed   one thread reading a timerfd nobody arms
 *   mq-orphan NAME     mq_receive on a queue nobody has open to send (unlinked)
 *   tcp-cycle          two processes each reading a loopback TCP connection
 *                      only the other would write to
 *   rwlock-cycle       thread 1 write-holds an rwlock and waits for a mutex
 *                      thread 2 holds, which waits to read-lock the rwlock
 *   barrier-orphan     two threads in a barrier of three; the third exited
 *   pi-deadlock        two threads, two priority-inheritance mutexes, ABBA
 *   pause-beside-hang  a process in pause() beside two processes deadlocked
 *                      through pipes (only the two are stuck)
 *   sem-taker-killed   a process takes a process-shared semaphore used as a lock
 *                      and is killed holding it; the next taker waits for ever
 *   handler-beside-deadlock  two threads deadlocked on two private mutexes in
 *                      a process that handles SIGUSR1 (pthread_mutex_unlock is
 *                      not async-signal-safe: no handler can end it)
 *   nondumpable-deadlock  two threads deadlocked on two private mutexes in a
 *                      process that made itself not dumpable (its waits are
 *                      hidden from its own non-root user)
 * never proof (a waker the tool cannot name), and healthy:
 *   sysv-sem-deadlock  two processes each holding one System V semaphore and
 *                      waiting for the other's (open: anyone permitted may post)
 *   sysv-sem-fed       a waiter on a System V semaphore a live child posts every second
 *   mq-fed NAME        mq_receive on a queue a live child sends to every second
 *   timerfd-armed      a thread reading a timerfd that fires in a minute
 *   tcp-idle-server    a server in epoll_wait on a listening loopback socket
 *   signalfd-wait      a thread reading a signalfd for SIGUSR1
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <semaphore.h>
#include <unistd.h>

#include "staged.h"

/* No mode handles a signal unless that is its point: a handler of the waiter's
 * own could post what it waits for, and the diagnosis would rightly stop
 * calling it stuck (so there is no cleanup on SIGTERM). The tests
 * end a scenario by killing its process group and remove its semaphore set
 * by the id it prints; a message queue is unlinked as soon as it is open. */
static int semid = -1;

static void nothing(int sig) { (void)sig; }
static void leave(int sig) { _exit(128 + sig); }

/* fork-copied-lock */
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static volatile int holding;
static void *hold(void *arg) {
  (void)arg;
  pthread_mutex_lock(&held);
  holding = 1;
  forever();
  return NULL;
}

/* ofd-deadlock: lock one byte, tell the other, wait for it, then want the other's byte */
static void ofd(const char *path, int mine, int theirs, int tell, int hear) {
  int fd = open(path, O_RDWR | O_CREAT, 0600);
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = mine, .l_len = 1};
  if (fd < 0 || fcntl(fd, F_OFD_SETLK, &fl) != 0) _exit(4);
  char c = 1;
  if (write(tell, &c, 1) != 1 || read(hear, &c, 1) != 1) _exit(5);
  fl.l_start = theirs;
  fcntl(fd, F_OFD_SETLKW, &fl);
  _exit(0);
}

/* rwlock-cycle */
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t rm = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t two;
static void *writer(void *arg) {
  (void)arg;
  pthread_rwlock_wrlock(&rw);
  pthread_barrier_wait(&two);
  pthread_mutex_lock(&rm);
  return NULL;
}
static void *reader(void *arg) {
  (void)arg;
  pthread_mutex_lock(&rm);
  pthread_barrier_wait(&two);
  pthread_rwlock_rdlock(&rw);
  return NULL;
}

/* barrier-orphan */
static pthread_barrier_t three;
static void *arrive(void *arg) {
  (void)arg;
  pthread_barrier_wait(&three);
  return NULL;
}

/* A reader of fd in one of the multiplexers. */
static void wait_readable(int fd, const char *how) {
  if (!strcmp(how, "epoll")) {
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd}, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    epoll_wait(ep, &out, 1, -1);
  } else if (!strcmp(how, "poll")) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    poll(&p, 1, -1);
  } else if (!strcmp(how, "select")) {
    fd_set r;
    FD_ZERO(&r);
    FD_SET(fd, &r);
    select(fd + 1, &r, NULL, NULL, NULL);
  } else {
    char c;
    if (read(fd, &c, 1) < 0) _exit(6);
  }
  _exit(0);
}

/* Two processes, each waiting (how_a, how_b) to read a pipe only the other holds the write end of. */
static void pipe_pair(const char *how_a, const char *how_b, pid_t *pids) {
  int ab[2], ba[2];
  if (pipe(ab) || pipe(ba)) exit(2);
  if ((pids[0] = child()) == 0) {
    close(ab[0]), close(ba[1]);
    wait_readable(ba[0], how_a);
  }
  if ((pids[1] = child()) == 0) {
    close(ba[0]), close(ab[1]);
    wait_readable(ab[0], how_b);
  }
  close(ab[0]), close(ab[1]), close(ba[0]), close(ba[1]);
}

static void semop1(int num, int op) {
  struct sembuf s = {.sem_num = (unsigned short)num, .sem_op = (short)op};
  semop(semid, &s, 1);
}

static int tcp_pair(int *a, int *b) {
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  if (ls < 0 || bind(ls, (void *)&addr, sizeof addr) || listen(ls, 1) || getsockname(ls, (void *)&addr, &len)) return -1;
  *a = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(*a, (void *)&addr, sizeof addr)) return -1;
  *b = accept(ls, NULL, NULL);
  return ls;
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  pid_t pids[4];
  setpgid(0, 0);
  if (!strcmp(what, "fork-copied-lock")) {
    pthread_t t;
    pthread_create(&t, NULL, hold, NULL);
    while (!holding) usleep(1000);
    if ((pids[0] = child()) == 0) {
      pthread_mutex_lock(&held);
      _exit(0);
    }
    pids[1] = getpid();
    ready(2, pids);
    waitpid(pids[0], NULL, 0);
    return 0;
  }
  if (!strcmp(what, "ofd-deadlock") && argc > 2) {
    char path[4096];
    int p1[2], p2[2];
    snprintf(path, sizeof path, "%s/ofd", argv[2]);
    if (pipe(p1) || pipe(p2)) return 2;
    if ((pids[0] = child()) == 0) ofd(path, 0, 1, p1[1], p2[0]);
    if ((pids[1] = child()) == 0) ofd(path, 1, 0, p2[1], p1[0]);
    pids[2] = getpid();
    ready(3, pids);
    forever();
  }
  if (!strcmp(what, "epoll-cycle") || !strcmp(what, "select-cycle") || !strcmp(what, "term-cycle")) {
    if (what[0] == 't') signal(SIGTERM, leave); /* inherited: each cleans up and exits when told to stop */
    pipe_pair(what[0] == 'e' ? "epoll" : "read", what[0] == 'e' ? "poll" : what[0] == 's' ? "select" : "read", pids);
    pids[2] = getpid();
    ready(3, pids);
    forever();
  }
  if (!strcmp(what, "eventfd-cycle")) {
    int e1 = eventfd(0, 0), e2 = eventfd(0, 0);
    uint64_t v;
    /* Each child keeps both: it could write the other's, and only the other can write its own. */
    if ((pids[0] = child()) == 0) {
      if (read(e1, &v, sizeof v) < 0) _exit(6);
      _exit(0);
    }
    if ((pids[1] = child()) == 0) {
      if (read(e2, &v, sizeof v) < 0) _exit(6);
      _exit(0);
    }
    close(e1), close(e2);
    pids[2] = getpid();
    ready(3, pids);
    forever();
  }
  if (!strcmp(what, "timerfd-disarmed") || !strcmp(what, "timerfd-armed")) {
    int t = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = {.it_value = {.tv_sec = 60}};
    if (what[8] == 'a') timerfd_settime(t, 0, &its, NULL);
    uint64_t v;
    pids[0] = getpid();
    ready(1, pids);
    if (read(t, &v, sizeof v) < 0) return 6;
    return 0;
  }
  if ((!strcmp(what, "mq-orphan") || !strcmp(what, "mq-fed")) && argc > 2) {
    struct mq_attr at = {.mq_maxmsg = 4, .mq_msgsize = 16};
    char buf[16];
    mqd_t q = mq_open(argv[2], O_CREAT | O_RDONLY, 0600, &at);
    mqd_t w = what[3] == 'f' ? mq_open(argv[2], O_WRONLY) : -1;
    mq_unlink(argv[2]); /* nobody can open it any more: the feeder holds it open */
    if (q < 0) return 2;
    if (what[3] == 'f' && (pids[1] = child()) == 0)
      for (;;) {
        sleep(1);
        mq_send(w, "x", 1, 0);
      }
    if (w >= 0) mq_close(w);
    pids[0] = getpid();
    ready(what[3] == 'f' ? 2 : 1, pids);
    for (;;) mq_receive(q, buf, sizeof buf, NULL);
  }
  if (!strcmp(what, "tcp-cycle") || !strcmp(what, "tcp-idle-server")) {
    int a, b;
    int ls = tcp_pair(&a, &b);
    if (ls < 0) return 2;
    if (what[4] == 'i') {
      pids[0] = getpid();
      ready(1, pids);
      wait_readable(ls, "epoll");
    }
    close(ls);
    if ((pids[0] = child()) == 0) {
      close(b);
      wait_readable(a, "read");
    }
    if ((pids[1] = child()) == 0) {
      close(a);
      wait_readable(b, "read");
    }
    close(a), close(b);
    pids[2] = getpid();
    ready(3, pids);
    forever();
  }
  if (!strcmp(what, "rwlock-cycle")) {
    pthread_t t1, t2;
    pthread_barrier_init(&two, NULL, 2);
    pthread_create(&t1, NULL, writer, NULL);
    pthread_create(&t2, NULL, reader, NULL);
    pids[0] = getpid();
    ready(1, pids);
    pthread_join(t1, NULL);
    return 0;
  }
  if (!strcmp(what, "pi-deadlock")) return abba_threads(PTHREAD_PRIO_INHERIT);
  if (!strcmp(what, "sem-taker-killed")) {
    sem_t *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED || sem_init(s, 1, 1) != 0) return 2;
    pid_t taker = child();
    if (taker == 0) {
      sem_wait(s);
      raise(SIGKILL); /* dies holding it */
    }
    waitpid(taker, NULL, 0);
    if ((pids[0] = child()) == 0) {
      sem_wait(s);
      _exit(0);
    }
    pids[1] = getpid();
    ready(2, pids);
    waitpid(pids[0], NULL, 0);
    return 0;
  }
  if (!strcmp(what, "handler-beside-deadlock")) {
    signal(SIGUSR1, nothing);
    return abba_threads(PTHREAD_PRIO_NONE);
  }
  if (!strcmp(what, "nondumpable-deadlock")) {
    prctl(PR_SET_DUMPABLE, 0);
    return abba_threads(PTHREAD_PRIO_NONE);
  }
  if (!strcmp(what, "barrier-orphan")) {
    pthread_t t1, t2;
    pthread_barrier_init(&three, NULL, 3);
    pthread_create(&t1, NULL, arrive, NULL);
    pthread_create(&t2, NULL, arrive, NULL);
    pids[0] = getpid();
    ready(1, pids);
    pthread_join(t1, NULL);
    return 0;
  }
  if (!strcmp(what, "pause-beside-hang")) {
    pipe_pair("read", "read", pids);
    if ((pids[2] = child()) == 0) forever();
    pids[3] = getpid();
    ready(4, pids);
    forever();
  }
  if (!strcmp(what, "sysv-sem-deadlock") || !strcmp(what, "sysv-sem-fed")) {
    semid = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
    if (semid < 0) return 2;
    printf("semid %d\n", semid); /* for whoever must remove it after a SIGKILL */
    if (what[9] == 'f') {
      if ((pids[1] = child()) == 0)
        for (;;) {
          sleep(1);
          semop1(0, 1);
        }
      pids[0] = getpid();
      ready(2, pids);
      for (;;) semop1(0, -1);
    }
    semop1(0, 1), semop1(1, 1);
    int go[2][2];
    if (pipe(go[0]) || pipe(go[1])) return 2;
    for (int i = 0; i < 2; i++)
      if ((pids[i] = child()) == 0) {
        char c;
        semop1(i, -1);
        if (write(go[i][1], "x", 1) != 1 || read(go[1 - i][0], &c, 1) != 1) _exit(5); /* both hold theirs */
        semop1(1 - i, -1);
        _exit(0);
      }
    pids[2] = getpid();
    ready(3, pids);
    forever();
  }
  if (!strcmp(what, "signalfd-wait")) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, NULL);
    int s = signalfd(-1, &m, 0);
    struct signalfd_siginfo si;
    pids[0] = getpid();
    ready(1, pids);
    if (read(s, &si, sizeof si) < 0) return 6;
    return 0;
  }
  fprintf(stderr, "usage: waits MODE [ARG] (see the comment at the top)\n");
  return 2;
}
