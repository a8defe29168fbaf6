/*
 * The check: findings as JSON lines (emit.h), one write(2) each to a file
 * opened with O_APPEND, so lines from many processes never interleave. Every
 * process that loads the library also writes a "loaded" line (its pid, its
 * parent, its program), so the caller can tell a program the library never
 * got into (static, set-user-ID) and name the processes of a finding.
 *
 * Depends on glibc internals of x86_64 2.25-2.40 (the same the diagnosis
 * decodes): pthread_mutex_t.__kind at byte 16 (PTHREAD_MUTEX_PSHARED_BIT 128),
 * pthread_cond_t.__wrefs at byte 36 (bit 0 shared, bit 1 CLOCK_MONOTONIC),
 * struct new_sem's private word at byte 8 (LLL_PRIVATE 0, LLL_SHARED 128).
 */
#define _GNU_SOURCE
#include "emit.h"
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

void pl_check_open(void) {
  const char *path = getenv("MVAR_REPRO_CHECK_FILE");
  pl.check_fd = path ? open(path, O_WRONLY | O_APPEND | O_CLOEXEC) : -1;
  /* The file is always given (the "loaded" lines say where the library got in); lock order and misuse only with the check asked for. */
  pl.checking = pl.check_fd >= 0 && getenv("MVAR_REPRO_CHECK") != NULL;
  if (pl.checking) pl_callers_warm_up();
}

void pl_check_loaded(int after_fork) {
  struct jline j;
  jl_begin(&j, "loaded");
  jl_int(&j, "pid", pl.pid);
  jl_int(&j, "ppid", getppid());
  jl_str(&j, "exe", pl_exe_path());
  if (after_fork) jl_bool(&j, "fork", 1);
  jl_emit(&j);
}

/* A finding line: the primitive (its address, the mapping and offset it lies in, its lock id) and the call site. */
static void finding(const char *finding_kind, const char *primitive, const void *addr, const struct pl_mapping *m,
                    void *ret, const char *detail, int32_t owner) {
  struct jline j;
  jl_begin(&j, "finding");
  jl_str(&j, "kind", finding_kind);
  jl_str(&j, "primitive", primitive);
  jl_int(&j, "pid", pl.pid);
  jl_int(&j, "tid", (long long)syscall(SYS_gettid));
  jl_ptr(&j, "addr", addr);
  jl_str(&j, "path", m->found ? m->path : "");
  jl_int(&j, "offset", (long long)m->offset);
  jl_int(&j, "inode", (long long)m->ino);
  jl_site(&j, "site", ret);
  jl_callers(&j, "callers", ret, 2);
  jl_str(&j, "detail", detail);
  if (owner) jl_int(&j, "owner", owner);
  jl_emit(&j);
}

void pl_check_finding(const char *kind, const char *primitive, const void *addr, void *caller, const char *detail, int32_t owner) {
  struct pl_mapping m;
  pl_mapping_of(addr, &m);
  finding(kind, primitive, addr, &m, caller, detail, owner);
}

static unsigned cond_wrefs(const void *c) {
  unsigned w;
  memcpy(&w, (const char *)c + COND_WREFS_OFFSET, sizeof w);
  return w;
}

clockid_t pl_cond_clock(const void *c) { return (cond_wrefs(c) & COND_MONOTONIC_BIT) ? CLOCK_MONOTONIC : CLOCK_REALTIME; }

/* Called once per address, for primitives in shared mappings only. */
void pl_check_first_use(const void *addr, enum prim_kind kind, void *caller, const struct pl_mapping *m) {
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
  case PRIM_RWLOCK:
    priv = ((const pthread_rwlock_t *)addr)->__data.__shared == 0;
    name = "rwlock";
    detail = "__shared is 0: not PTHREAD_PROCESS_SHARED";
    break;
  default:
    memcpy(&priv, (const char *)addr + SEM_PRIVATE_OFFSET, sizeof priv);
    priv = priv == 0;
    name = "sem";
    detail = "private word is LLL_PRIVATE: sem_init with pshared 0";
    break;
  }
  if (priv) finding("private-primitive-in-shared-memory", name, addr, m, caller, detail, 0);
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
    pl_check_finding("condvar-deadline-on-another-clock", "cond", c, ret,
                     monotonic ? "the condvar runs on CLOCK_MONOTONIC, the deadline was taken from CLOCK_REALTIME"
                               : "the condvar runs on CLOCK_REALTIME, the deadline was taken from CLOCK_MONOTONIC",
                     0);
  }
}
