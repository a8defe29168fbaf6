/*
 * libmvar-preload.so: loaded into a program with LD_PRELOAD by `mvar-repro
 * check`, it interposes the pthread mutex, condvar and POSIX semaphore calls
 * and calls through to glibc. The first time a process uses a primitive that
 * lies in a MAP_SHARED mapping while its own bytes say it is process-private
 * (a mutex kind without the pshared bit, a condvar without the shared bit of
 * __wrefs, a semaphore whose private word is LLL_PRIVATE, 0), it records
 * the finding `private-primitive-in-shared-memory` — the defect behind the
 * original hang, found at first use, long before anything hangs. It also
 * records a condvar waited on with deadlines from a clock other than its own.
 *
 * Findings go, one JSON line each (one write(2) with O_APPEND, so lines from
 * many processes never interleave), to the file named by MVAR_REPRO_CHECK_FILE;
 * every process that loads the library also writes a "loaded" line, so the
 * caller can tell a program the library never got into (static, set-user-ID).
 * Children that fork and exec inherit LD_PRELOAD and are checked too.
 *
 * Depends on glibc internals of x86_64 2.25-2.40 (the same the diagnosis
 * decodes): pthread_mutex_t.__kind at byte 16 (PTHREAD_MUTEX_PSHARED_BIT 128),
 * pthread_cond_t.__wrefs at byte 36 (bit 0 shared, bit 1 CLOCK_MONOTONIC),
 * struct new_sem's private word at byte 8 (LLL_PRIVATE 0, LLL_SHARED 128). pthread_cond_* exist in two symbol
 * versions; dlsym(RTLD_NEXT) would hand back the old GLIBC_2.2.5 one, so the
 * current GLIBC_2.3.2 is asked for by name with dlvsym. Our definitions carry
 * no version: ld.so binds a program's versioned references to them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MUTEX_KIND_OFFSET 16
#define MUTEX_PSHARED_BIT 128
#define COND_WREFS_OFFSET 36
#define COND_SHARED_BIT 1
#define COND_MONOTONIC_BIT 2
#define SEM_PRIVATE_OFFSET 8
/* Addresses already checked in this process: a first use is checked once. */
#define SEEN_SLOTS 4096

static int out_fd = -1;
static uintptr_t seen[SEEN_SLOTS];

static int (*real_mutex_lock)(pthread_mutex_t *);
static int (*real_mutex_trylock)(pthread_mutex_t *);
static int (*real_mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
static int (*real_cond_wait)(pthread_cond_t *, pthread_mutex_t *);
static int (*real_cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
static int (*real_cond_signal)(pthread_cond_t *);
static int (*real_cond_broadcast)(pthread_cond_t *);
static int (*real_sem_init)(sem_t *, int, unsigned);
static int (*real_sem_wait)(sem_t *);
static int (*real_sem_timedwait)(sem_t *, const struct timespec *);
static int (*real_sem_post)(sem_t *);

static void resolve(void) {
  real_mutex_lock = dlsym(RTLD_NEXT, "pthread_mutex_lock");
  real_mutex_trylock = dlsym(RTLD_NEXT, "pthread_mutex_trylock");
  real_mutex_timedlock = dlsym(RTLD_NEXT, "pthread_mutex_timedlock");
  real_cond_wait = dlvsym(RTLD_NEXT, "pthread_cond_wait", "GLIBC_2.3.2");
  real_cond_timedwait = dlvsym(RTLD_NEXT, "pthread_cond_timedwait", "GLIBC_2.3.2");
  real_cond_signal = dlvsym(RTLD_NEXT, "pthread_cond_signal", "GLIBC_2.3.2");
  real_cond_broadcast = dlvsym(RTLD_NEXT, "pthread_cond_broadcast", "GLIBC_2.3.2");
  real_sem_init = dlsym(RTLD_NEXT, "sem_init");
  real_sem_wait = dlsym(RTLD_NEXT, "sem_wait");
  real_sem_timedwait = dlsym(RTLD_NEXT, "sem_timedwait");
  real_sem_post = dlsym(RTLD_NEXT, "sem_post");
}

static void emit(const char *line, size_t n) {
  if (out_fd >= 0) {
    ssize_t w = write(out_fd, line, n);
    (void)w;
  }
}

static void reset_after_fork(void) {
  memset(seen, 0, sizeof seen);
  char line[96];
  int n = snprintf(line, sizeof line, "{\"event\":\"loaded\",\"pid\":%d,\"fork\":true}\n", (int)getpid());
  emit(line, (size_t)n);
}

__attribute__((constructor)) static void init(void) {
  resolve();
  const char *path = getenv("MVAR_REPRO_CHECK_FILE");
  if (path) out_fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
  pthread_atfork(NULL, NULL, reset_after_fork);
  char line[96];
  int n = snprintf(line, sizeof line, "{\"event\":\"loaded\",\"pid\":%d}\n", (int)getpid());
  emit(line, (size_t)n);
}

/* True the first time this process sees addr (lock-free: a lost race only checks twice). */
static int first_use(const void *addr) {
  uintptr_t a = (uintptr_t)addr;
  size_t h = (a >> 3) * 0x9E3779B97F4A7C15ULL % SEEN_SLOTS;
  for (size_t i = 0; i < 64; i++) {
    size_t k = (h + i) % SEEN_SLOTS;
    uintptr_t v = __atomic_load_n(&seen[k], __ATOMIC_RELAXED);
    if (v == a) return 0;
    if (v == 0 && __atomic_compare_exchange_n(&seen[k], &v, a, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return 1;
  }
  return 0; /* table full: stop checking rather than repeat findings */
}

/* The /proc/self/maps line holding addr, if it is a MAP_SHARED mapping: its path and offset. */
static int shared_mapping(const void *addr, char *path, size_t pathlen, unsigned long long *offset) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[8192];
  char *line = buf;
  size_t have = 0;
  int found = 0;
  uintptr_t a = (uintptr_t)addr;
  for (;;) {
    ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
    if (r <= 0) break;
    have += (size_t)r;
    buf[have] = '\0';
    char *nl;
    line = buf;
    while ((nl = strchr(line, '\n'))) {
      *nl = '\0';
      unsigned long long lo, hi, off;
      char perms[5] = "";
      int consumed = 0;
      if (sscanf(line, "%llx-%llx %4s %llx %*s %*s%n", &lo, &hi, perms, &off, &consumed) >= 4 && a >= lo && a < hi) {
        found = perms[3] == 's';
        if (found) {
          const char *p = line + consumed;
          while (*p == ' ') p++;
          snprintf(path, pathlen, "%s", *p ? p : "(anonymous)");
          *offset = off + (a - lo);
        }
        close(fd);
        return found;
      }
      line = nl + 1;
    }
    have = (size_t)(buf + have - line);
    memmove(buf, line, have);
  }
  close(fd);
  return 0;
}

static void caller_of(void *ret, char *out, size_t n) {
  Dl_info info;
  if (ret && dladdr(ret, &info) && info.dli_fname) {
    if (info.dli_sname)
      snprintf(out, n, "%s+0x%lx (%s)", info.dli_sname, (unsigned long)((char *)ret - (char *)info.dli_saddr), info.dli_fname);
    else
      snprintf(out, n, "%s+0x%lx", info.dli_fname, (unsigned long)((char *)ret - (char *)info.dli_fbase));
  } else
    snprintf(out, n, "%p", ret);
}

static void finding(const char *finding_kind, const char *primitive, const void *addr, const char *path, unsigned long long offset, void *ret, const char *detail) {
  char caller[512], line[1536];
  caller_of(ret, caller, sizeof caller);
  int n = snprintf(line, sizeof line,
                   "{\"event\":\"finding\",\"kind\":\"%s\",\"primitive\":\"%s\",\"pid\":%d,\"tid\":%ld,\"addr\":\"%p\",\"path\":\"%s\",\"offset\":%llu,\"caller\":\"%s\",\"detail\":\"%s\"}\n",
                   finding_kind, primitive, (int)getpid(), (long)syscall(SYS_gettid), addr, path, offset, caller, detail);
  if (n > 0) emit(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void check(const char *primitive, const void *addr, int is_private, const char *detail, void *ret) {
  if (out_fd < 0 || !first_use(addr)) return;
  char path[512];
  unsigned long long offset = 0;
  if (is_private && shared_mapping(addr, path, sizeof path, &offset)) finding("private-primitive-in-shared-memory", primitive, addr, path, offset, ret, detail);
}

static void check_mutex(pthread_mutex_t *m, void *ret) {
  int kind;
  memcpy(&kind, (char *)m + MUTEX_KIND_OFFSET, sizeof kind);
  check("mutex", m, !(kind & MUTEX_PSHARED_BIT), "__kind has no PTHREAD_MUTEX_PSHARED_BIT", ret);
}

static unsigned cond_wrefs(pthread_cond_t *c) {
  unsigned w;
  memcpy(&w, (char *)c + COND_WREFS_OFFSET, sizeof w);
  return w;
}

static void check_cond(pthread_cond_t *c, void *ret) {
  check("cond", c, !(cond_wrefs(c) & COND_SHARED_BIT), "__wrefs has no __PTHREAD_COND_SHARED_MASK", ret);
}

/* A deadline far from both clocks' now on the condvar's own clock but near the other one's came from the other clock. */
static void check_clock(pthread_cond_t *c, const struct timespec *abstime, void *ret) {
  if (out_fd < 0 || !abstime) return;
  struct timespec rt, mono;
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  int monotonic = (cond_wrefs(c) & COND_MONOTONIC_BIT) != 0;
  /* A year apart: the two clocks' epochs differ by decades on any running system. */
  const long long year = 365LL * 24 * 3600;
  long long to_rt = llabs((long long)abstime->tv_sec - rt.tv_sec), to_mono = llabs((long long)abstime->tv_sec - mono.tv_sec);
  int wrong = monotonic ? (to_rt < year && to_mono > year) : (to_mono < year && to_rt > year);
  static int said;
  if (wrong && !__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED)) {
    char path[512] = "";
    unsigned long long offset = 0;
    shared_mapping(c, path, sizeof path, &offset);
    finding("condvar-deadline-on-another-clock", "cond", c, path, offset, ret,
            monotonic ? "the condvar runs on CLOCK_MONOTONIC, the deadline was taken from CLOCK_REALTIME"
                      : "the condvar runs on CLOCK_REALTIME, the deadline was taken from CLOCK_MONOTONIC");
  }
}

int pthread_mutex_lock(pthread_mutex_t *m) {
  check_mutex(m, __builtin_return_address(0));
  return real_mutex_lock(m);
}

int pthread_mutex_trylock(pthread_mutex_t *m) {
  check_mutex(m, __builtin_return_address(0));
  return real_mutex_trylock(m);
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t) {
  check_mutex(m, __builtin_return_address(0));
  return real_mutex_timedlock(m, t);
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) {
  check_cond(c, __builtin_return_address(0));
  return real_cond_wait(c, m);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t) {
  check_cond(c, __builtin_return_address(0));
  check_clock(c, t, __builtin_return_address(0));
  return real_cond_timedwait(c, m, t);
}

int pthread_cond_signal(pthread_cond_t *c) {
  check_cond(c, __builtin_return_address(0));
  return real_cond_signal(c);
}

int pthread_cond_broadcast(pthread_cond_t *c) {
  check_cond(c, __builtin_return_address(0));
  return real_cond_broadcast(c);
}

int sem_init(sem_t *s, int pshared, unsigned value) {
  int rc = real_sem_init(s, pshared, value);
  check("sem", s, !pshared, "sem_init with pshared 0", __builtin_return_address(0));
  return rc;
}

/* glibc keeps LLL_PRIVATE (0) or LLL_SHARED (FUTEX_PRIVATE_FLAG, 128) in the private word. */
static void check_sem(sem_t *s, void *ret) {
  int priv;
  memcpy(&priv, (char *)s + SEM_PRIVATE_OFFSET, sizeof priv);
  check("sem", s, priv == 0, "private word is LLL_PRIVATE (sem_init with pshared 0)", ret);
}

int sem_wait(sem_t *s) {
  check_sem(s, __builtin_return_address(0));
  return real_sem_wait(s);
}

int sem_timedwait(sem_t *s, const struct timespec *t) {
  check_sem(s, __builtin_return_address(0));
  return real_sem_timedwait(s, t);
}

int sem_post(sem_t *s) {
  check_sem(s, __builtin_return_address(0));
  return real_sem_post(s);
}
