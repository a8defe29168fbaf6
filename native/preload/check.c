/*
 * The check: findings as JSON lines, one write(2) each to a file opened with
 * O_APPEND, so lines from many processes never interleave. Every process
 * that loads the library also writes a "loaded" line, so the caller can tell
 * a program the library never got into (static, set-user-ID).
 *
 * Depends on glibc internals of x86_64 2.25-2.40 (the same the diagnosis
 * decodes): pthread_mutex_t.__kind at byte 16 (PTHREAD_MUTEX_PSHARED_BIT 128),
 * pthread_cond_t.__wrefs at byte 36 (bit 0 shared, bit 1 CLOCK_MONOTONIC),
 * struct new_sem's private word at byte 8 (LLL_PRIVATE 0, LLL_SHARED 128).
 */
#define _GNU_SOURCE
#include "preload.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MUTEX_KIND_OFFSET 16
#define MUTEX_PSHARED_BIT 128
#define COND_WREFS_OFFSET 36
#define COND_SHARED_BIT 1
#define COND_MONOTONIC_BIT 2
#define SEM_PRIVATE_OFFSET 8

static void emit(const char *line, size_t n) {
  if (pl.check_fd >= 0) {
    ssize_t w = write(pl.check_fd, line, n);
    (void)w;
  }
}

void pl_check_open(void) {
  const char *path = getenv("MVAR_REPRO_CHECK_FILE");
  pl.check_fd = path ? open(path, O_WRONLY | O_APPEND | O_CLOEXEC) : -1;
}

void pl_check_loaded(int after_fork) {
  char line[96];
  int n = snprintf(line, sizeof line, "{\"event\":\"loaded\",\"pid\":%d%s}\n", (int)pl.pid, after_fork ? ",\"fork\":true" : "");
  emit(line, (size_t)n);
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

static void finding(const char *finding_kind, const char *primitive, const void *addr, const char *path,
                    unsigned long long offset, void *ret, const char *detail) {
  char caller[512], line[1536];
  caller_of(ret, caller, sizeof caller);
  int n = snprintf(line, sizeof line,
                   "{\"event\":\"finding\",\"kind\":\"%s\",\"primitive\":\"%s\",\"pid\":%d,\"tid\":%ld,\"addr\":\"%p\",\"path\":\"%s\",\"offset\":%llu,\"caller\":\"%s\",\"detail\":\"%s\"}\n",
                   finding_kind, primitive, (int)pl.pid, (long)syscall(SYS_gettid), addr, path, offset, caller, detail);
  if (n > 0) emit(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static unsigned cond_wrefs(const void *c) {
  unsigned w;
  memcpy(&w, (const char *)c + COND_WREFS_OFFSET, sizeof w);
  return w;
}

clockid_t pl_cond_clock(const void *c) { return (cond_wrefs(c) & COND_MONOTONIC_BIT) ? CLOCK_MONOTONIC : CLOCK_REALTIME; }

/* Called once per address, for primitives in shared mappings only. */
void pl_check_first_use(const void *addr, enum prim_kind kind, void *caller, const char *path, unsigned long long offset) {
  if (pl.check_fd < 0) return;
  int priv;
  const char *name, *detail;
  switch (kind) {
  case PRIM_MUTEX:
    memcpy(&priv, (const char *)addr + MUTEX_KIND_OFFSET, sizeof priv);
    priv = !(priv & MUTEX_PSHARED_BIT);
    name = "mutex";
    detail = "__kind has no PTHREAD_MUTEX_PSHARED_BIT";
    break;
  case PRIM_COND:
    priv = !(cond_wrefs(addr) & COND_SHARED_BIT);
    name = "cond";
    detail = "__wrefs has no __PTHREAD_COND_SHARED_MASK";
    break;
  default:
    memcpy(&priv, (const char *)addr + SEM_PRIVATE_OFFSET, sizeof priv);
    priv = priv == 0;
    name = "sem";
    detail = "private word is LLL_PRIVATE: sem_init with pshared 0";
    break;
  }
  if (priv) finding("private-primitive-in-shared-memory", name, addr, path, offset, caller, detail);
}

/* A deadline far from now on the condvar's own clock but near the other clock's now came from the other clock. */
void pl_check_clock(const void *c, const struct timespec *abstime, void *ret) {
  if (pl.check_fd < 0 || !abstime) return;
  struct timespec rt, mono;
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  int monotonic = pl_cond_clock(c) == CLOCK_MONOTONIC;
  /* A year apart: the two clocks' epochs differ by decades on any running system. */
  const long long year = 365LL * 24 * 3600;
  long long to_rt = llabs((long long)abstime->tv_sec - rt.tv_sec), to_mono = llabs((long long)abstime->tv_sec - mono.tv_sec);
  int wrong = monotonic ? (to_rt < year && to_mono > year) : (to_mono < year && to_rt > year);
  static int said;
  if (wrong && !__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED)) {
    char path[512] = "";
    unsigned long long offset = 0;
    pl_shared_mapping(c, path, sizeof path, &offset);
    finding("condvar-deadline-on-another-clock", "cond", c, path, offset, ret,
            monotonic ? "the condvar runs on CLOCK_MONOTONIC, the deadline was taken from CLOCK_REALTIME"
                      : "the condvar runs on CLOCK_REALTIME, the deadline was taken from CLOCK_MONOTONIC");
  }
}
