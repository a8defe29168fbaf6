/*
 * Programs for the lock-order graph and the misuse checks of `mvar-repro
 * check` (lockorder ARG): each finishes by itself and none deadlocks in the
 * run; what the check must say about each is in test/cli/check-locks.test.ts.
 * The two sides of each program run one after the other (the child starts
 * when the parent is done, the second thread when the first is joined), so
 * the run never deadlocks, whatever the schedule: the check has to predict it.
 *
 *   abba          parent takes A then B; a child then takes B then A
 *   one-order     parent and child both take A then B
 *   gated         the abba orders, each taken under a shared gate lock G
 *   gated-threads the abba orders in two threads of one process, each under a private gate mutex
 *   threads-abba  the abba orders in two threads of one process, no gate
 *   one-thread    one thread takes A then B, later B then A
 *   three         parent A->B, child B->C, grandchild C->A (a cycle of three)
 *   timed         the abba orders, the second lock of each taken with a timed lock
 *   child-unlocks parent locks M; its child unlocks M
 *   relock        a thread locks an error-checking mutex it holds (EDEADLK)
 *   destroy-locked  a mutex destroyed while locked
 *   owner-dead    a child dies holding a robust mutex; the parent takes it
 *                 (EOWNERDEAD) and unlocks without pthread_mutex_consistent
 *   cond-two      parent waits on condvar C with mutex A, child with mutex B
 *   destroy-cond  a condvar destroyed while a thread waits on it (timed)
 *   file-abba     fcntl locks on bytes 0 and 1 of a file, parent 0 then 1, child 1 then 0
 *   file-threads  the same orders in two threads of one process (POSIX locks are the process's)
 *   flock-abba    flock on two files, parent F1 then F2, child F2 then F1
 *   sem-abba      two binary semaphores as locks, parent S1 then S2, child S2 then S1
 *   sem-signal    a semaphore S posted by a third process (a signal, not a lock): parent
 *                 takes S then locks A, child locks A then takes S
 *   abba-lib LIB  the abba orders, each taken by lockpair_take() in the shared library LIB
 *   rw-abba       rwlocks: parent writes R1 then R2; child writes R2 then reads R1
 *   rw-readers    rwlocks: parent reads R1 then R2; child reads R2 then R1 (readers never wait for readers)
 *   rw-upgrade    a thread that reads R1 takes it for writing (timed: it gives up after 50 ms)
 *   rw-private    a rwlock in a MAP_SHARED page initialised without PTHREAD_PROCESS_SHARED
 *   two-maps      the abba orders on two mutexes at offset 0 of two anonymous shared mappings
 *                 (both "/dev/zero (deleted)" in /proc/PID/maps: told apart by their inodes)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lockorder-setup.h"

__attribute__((noinline)) static void parent_takes_a_then_b(void) {
  pthread_mutex_lock(&sh->a);
  pthread_mutex_lock(&sh->b);
  pthread_mutex_unlock(&sh->b);
  pthread_mutex_unlock(&sh->a);
}

__attribute__((noinline)) static void child_takes_b_then_a(void) {
  pthread_mutex_lock(&sh->b);
  pthread_mutex_lock(&sh->a);
  pthread_mutex_unlock(&sh->a);
  pthread_mutex_unlock(&sh->b);
}

__attribute__((noinline)) static void b_then_c(void) {
  pthread_mutex_lock(&sh->b);
  pthread_mutex_lock(&sh->c);
  pthread_mutex_unlock(&sh->c);
  pthread_mutex_unlock(&sh->b);
}

__attribute__((noinline)) static void c_then_a(void) {
  pthread_mutex_lock(&sh->c);
  pthread_mutex_lock(&sh->a);
  pthread_mutex_unlock(&sh->a);
  pthread_mutex_unlock(&sh->c);
}

static void child_three(void) {
  b_then_c();
  in_child(c_then_a);
}

__attribute__((noinline)) static void gated_a_then_b(void) {
  pthread_mutex_lock(&sh->gate);
  parent_takes_a_then_b();
  pthread_mutex_unlock(&sh->gate);
}

__attribute__((noinline)) static void gated_b_then_a(void) {
  pthread_mutex_lock(&sh->gate);
  child_takes_b_then_a();
  pthread_mutex_unlock(&sh->gate);
}

static void *thread_a_then_b(void *gated) {
  if (gated) pthread_mutex_lock(&private_gate);
  parent_takes_a_then_b();
  if (gated) pthread_mutex_unlock(&private_gate);
  return NULL;
}

static void *thread_b_then_a(void *gated) {
  if (gated) pthread_mutex_lock(&private_gate);
  child_takes_b_then_a();
  if (gated) pthread_mutex_unlock(&private_gate);
  return NULL;
}

static void *gated_thread_a_then_b(void *unused) { return thread_a_then_b((void *)1); }
static void *gated_thread_b_then_a(void *unused) { return thread_b_then_a((void *)1); }
static void *plain_thread_a_then_b(void *unused) { return thread_a_then_b(NULL); }
static void *plain_thread_b_then_a(void *unused) { return thread_b_then_a(NULL); }

__attribute__((noinline)) static void timed_a_then_b(void) {
  struct timespec ts;
  ms_from_now(&ts, 1000);
  pthread_mutex_lock(&sh->a);
  pthread_mutex_timedlock(&sh->b, &ts);
  pthread_mutex_unlock(&sh->b);
  pthread_mutex_unlock(&sh->a);
}

__attribute__((noinline)) static void timed_b_then_a(void) {
  struct timespec ts;
  ms_from_now(&ts, 1000);
  pthread_mutex_lock(&sh->b);
  pthread_mutex_timedlock(&sh->a, &ts);
  pthread_mutex_unlock(&sh->a);
  pthread_mutex_unlock(&sh->b);
}

__attribute__((noinline)) static void child_unlocks(void) { pthread_mutex_unlock(&sh->m); }

__attribute__((noinline)) static void dies_holding(void) {
  pthread_mutex_lock(&sh->m);
  _exit(0);
}

__attribute__((noinline)) static void wait_a_moment(pthread_mutex_t *m) {
  struct timespec ts;
  ms_from_now(&ts, 10);
  pthread_mutex_lock(m);
  pthread_cond_timedwait(&sh->cond, m, &ts);
  pthread_mutex_unlock(m);
}

static void child_waits_with_b(void) { wait_a_moment(&sh->b); }

static void *waits_on_cond(void *unused) {
  struct timespec ts;
  ms_from_now(&ts, 300);
  pthread_mutex_lock(&sh->m);
  pthread_cond_timedwait(&sh->cond, &sh->m, &ts);
  pthread_mutex_unlock(&sh->m);
  return NULL;
}

static int file_fd, file_fd2;

static void record_lock(int fd, short type, off_t byte) {
  struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1};
  if (fcntl(fd, F_SETLKW, &fl) != 0) perror("fcntl");
}

__attribute__((noinline)) static void file_0_then_1(void) {
  record_lock(file_fd, F_WRLCK, 0);
  record_lock(file_fd, F_WRLCK, 1);
  record_lock(file_fd, F_UNLCK, 1);
  record_lock(file_fd, F_UNLCK, 0);
}

__attribute__((noinline)) static void file_1_then_0(void) {
  record_lock(file_fd, F_WRLCK, 1);
  record_lock(file_fd, F_WRLCK, 0);
  record_lock(file_fd, F_UNLCK, 0);
  record_lock(file_fd, F_UNLCK, 1);
}

static void *file_thread_0_then_1(void *unused) {
  file_0_then_1();
  return NULL;
}

static void *file_thread_1_then_0(void *unused) {
  file_1_then_0();
  return NULL;
}

__attribute__((noinline)) static void flock_1_then_2(void) {
  flock(file_fd, LOCK_EX);
  flock(file_fd2, LOCK_EX);
  flock(file_fd2, LOCK_UN);
  flock(file_fd, LOCK_UN);
}

__attribute__((noinline)) static void flock_2_then_1(void) {
  /* Its own descriptions: a flock is the open file's, and the parent's are shared with this child. */
  close(file_fd);
  close(file_fd2);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)getppid(), 100);
  file_fd = open(path, O_RDWR);
  snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)getppid(), 101);
  file_fd2 = open(path, O_RDWR);
  flock(file_fd2, LOCK_EX);
  flock(file_fd, LOCK_EX);
  flock(file_fd, LOCK_UN);
  flock(file_fd2, LOCK_UN);
}

__attribute__((noinline)) static void sems_1_then_2(void) {
  sem_wait(&sh->s1);
  sem_wait(&sh->s2);
  sem_post(&sh->s2);
  sem_post(&sh->s1);
}

__attribute__((noinline)) static void sems_2_then_1(void) {
  sem_wait(&sh->s2);
  sem_wait(&sh->s1);
  sem_post(&sh->s1);
  sem_post(&sh->s2);
}

static void post_twice(void) {
  sem_post(&sh->s);
  sem_post(&sh->s);
}

__attribute__((noinline)) static void signal_then_a(void) {
  sem_wait(&sh->s);
  pthread_mutex_lock(&sh->a);
  pthread_mutex_unlock(&sh->a);
}

__attribute__((noinline)) static void a_then_signal(void) {
  pthread_mutex_lock(&sh->a);
  sem_wait(&sh->s);
  pthread_mutex_unlock(&sh->a);
}

__attribute__((noinline)) static void write_r1_then_r2(void) {
  pthread_rwlock_wrlock(&sh->r1);
  pthread_rwlock_wrlock(&sh->r2);
  pthread_rwlock_unlock(&sh->r2);
  pthread_rwlock_unlock(&sh->r1);
}

__attribute__((noinline)) static void write_r2_then_read_r1(void) {
  pthread_rwlock_wrlock(&sh->r2);
  pthread_rwlock_rdlock(&sh->r1);
  pthread_rwlock_unlock(&sh->r1);
  pthread_rwlock_unlock(&sh->r2);
}

__attribute__((noinline)) static void read_r1_then_r2(void) {
  pthread_rwlock_rdlock(&sh->r1);
  pthread_rwlock_rdlock(&sh->r2);
  pthread_rwlock_unlock(&sh->r2);
  pthread_rwlock_unlock(&sh->r1);
}

__attribute__((noinline)) static void read_r2_then_r1(void) {
  pthread_rwlock_rdlock(&sh->r2);
  pthread_rwlock_rdlock(&sh->r1);
  pthread_rwlock_unlock(&sh->r1);
  pthread_rwlock_unlock(&sh->r2);
}

__attribute__((noinline)) static void upgrade(void) {
  struct timespec ts;
  pthread_rwlock_rdlock(&sh->r1);
  ms_from_now(&ts, 50);
  if (pthread_rwlock_timedwrlock(&sh->r1, &ts) == 0) pthread_rwlock_unlock(&sh->r1);
  pthread_rwlock_unlock(&sh->r1);
}

static pthread_mutex_t *map_a, *map_b;

/* A mutex at offset 0 of an anonymous shared mapping of its own. */
static pthread_mutex_t *mutex_in_own_mapping(void) {
  pthread_mutex_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) exit(2);
  init_mutex(m, PTHREAD_MUTEX_NORMAL, 0);
  return m;
}

__attribute__((noinline)) static void maps_a_then_b(void) {
  pthread_mutex_lock(map_a);
  pthread_mutex_lock(map_b);
  pthread_mutex_unlock(map_b);
  pthread_mutex_unlock(map_a);
}

__attribute__((noinline)) static void maps_b_then_a(void) {
  pthread_mutex_lock(map_b);
  pthread_mutex_lock(map_a);
  pthread_mutex_unlock(map_a);
  pthread_mutex_unlock(map_b);
}

static void (*lockpair_take)(pthread_mutex_t *, pthread_mutex_t *);
static void lib_b_then_a(void) { lockpair_take(&sh->b, &sh->a); }

/* A temporary file of 2 bytes, unlinked, on descriptor `at`. */
static int temp_file(int at) {
  char path[] = "/tmp/lockorder-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0 || write(fd, "xx", 2) != 2) exit(2);
  unlink(path);
  int moved = dup2(fd, at);
  close(fd);
  return moved;
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  setup();
  if (!strcmp(what, "abba")) {
    parent_takes_a_then_b();
    in_child(child_takes_b_then_a);
  } else if (!strcmp(what, "one-order")) {
    parent_takes_a_then_b();
    in_child(parent_takes_a_then_b);
  } else if (!strcmp(what, "gated")) {
    gated_a_then_b();
    in_child(gated_b_then_a);
  } else if (!strcmp(what, "gated-threads")) {
    in_thread(gated_thread_a_then_b);
    in_thread(gated_thread_b_then_a);
  } else if (!strcmp(what, "threads-abba")) {
    in_thread(plain_thread_a_then_b);
    in_thread(plain_thread_b_then_a);
  } else if (!strcmp(what, "one-thread")) {
    parent_takes_a_then_b();
    child_takes_b_then_a();
  } else if (!strcmp(what, "three")) {
    parent_takes_a_then_b();
    in_child(child_three);
  } else if (!strcmp(what, "timed")) {
    timed_a_then_b();
    in_child(timed_b_then_a);
  } else if (!strcmp(what, "child-unlocks")) {
    pthread_mutex_lock(&sh->m);
    in_child(child_unlocks);
  } else if (!strcmp(what, "relock")) {
    init_mutex(&sh->m, PTHREAD_MUTEX_ERRORCHECK, 0);
    pthread_mutex_lock(&sh->m);
    if (pthread_mutex_lock(&sh->m) != EDEADLK) return 3;
    pthread_mutex_unlock(&sh->m);
  } else if (!strcmp(what, "destroy-locked")) {
    pthread_mutex_lock(&sh->m);
    pthread_mutex_destroy(&sh->m);
  } else if (!strcmp(what, "owner-dead")) {
    init_mutex(&sh->m, PTHREAD_MUTEX_NORMAL, 1);
    in_child(dies_holding);
    if (pthread_mutex_lock(&sh->m) != EOWNERDEAD) return 3;
    pthread_mutex_unlock(&sh->m);
  } else if (!strcmp(what, "cond-two")) {
    wait_a_moment(&sh->a);
    in_child(child_waits_with_b);
  } else if (!strcmp(what, "destroy-cond")) {
    pthread_t t;
    pthread_create(&t, NULL, waits_on_cond, NULL);
    usleep(50000);
    pthread_cond_destroy(&sh->cond);
    pthread_join(t, NULL);
  } else if (!strcmp(what, "file-abba")) {
    file_fd = temp_file(100);
    file_0_then_1();
    in_child(file_1_then_0);
  } else if (!strcmp(what, "file-threads")) {
    file_fd = temp_file(100);
    in_thread(file_thread_0_then_1);
    in_thread(file_thread_1_then_0);
  } else if (!strcmp(what, "flock-abba")) {
    file_fd = temp_file(100);
    file_fd2 = temp_file(101);
    flock_1_then_2();
    in_child(flock_2_then_1);
  } else if (!strcmp(what, "sem-abba")) {
    sems_1_then_2();
    in_child(sems_2_then_1);
  } else if (!strcmp(what, "sem-signal")) {
    in_child(post_twice);
    signal_then_a();
    in_child(a_then_signal);
  } else if (!strcmp(what, "rw-abba")) {
    write_r1_then_r2();
    in_child(write_r2_then_read_r1);
  } else if (!strcmp(what, "rw-readers")) {
    read_r1_then_r2();
    in_child(read_r2_then_r1);
  } else if (!strcmp(what, "rw-upgrade")) {
    upgrade();
  } else if (!strcmp(what, "rw-private")) {
    pthread_rwlock_rdlock(&sh->rp);
    pthread_rwlock_unlock(&sh->rp);
  } else if (!strcmp(what, "two-maps")) {
    map_a = mutex_in_own_mapping();
    map_b = mutex_in_own_mapping();
    maps_a_then_b();
    in_child(maps_b_then_a);
  } else if (!strcmp(what, "abba-lib") && argc > 2) {
    void *lib = dlopen(argv[2], RTLD_NOW);
    if (!lib || !(lockpair_take = (void (*)(pthread_mutex_t *, pthread_mutex_t *))dlsym(lib, "lockpair_take"))) return 2;
    lockpair_take(&sh->a, &sh->b);
    in_child(lib_b_then_a);
  } else {
    fprintf(stderr, "lockorder: unknown program '%s'\n", what);
    return 2;
  }
  return 0;
}
