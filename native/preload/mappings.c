/*
 * Which primitives the preload library watches, and what each one is, decided
 * once per address and process: the first use reads /proc/self/maps (tens of
 * microseconds), every later use is a lock-free hash lookup. A classification
 * is never revisited, so memory unmapped and mapped again as another kind at
 * the same address keeps its first answer (pthread_*_destroy does not forget
 * it either).
 *
 * A primitive's identity (its lock id) is the same in every process that
 * maps it, wherever it is mapped: the object it lives in, by device and
 * inode as /proc/PID/maps gives them, and its offset in that object. That
 * holds for a /dev/shm segment, a mapped file, a memfd, and an anonymous
 * MAP_SHARED mapping inherited at fork, which the kernel backs by one shmem
 * inode ("/dev/zero (deleted)" in maps, the same inode in parent and child).
 * A primitive in private memory is its process's own: pid and address.
 */
#define _GNU_SOURCE
#include "emit.h"
#include "preload.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Entries are addr | flags; pthread and semaphore objects are 8-byte aligned
 * on x86_64, which leaves the low three bits free. */
#define KNOWN 1u
#define SHARED PL_PRIM_SHARED
#define PENDING 4u
#define FLAGS 7u
/* 16384 x 32 bytes: zero pages until used; a program with more primitives than
 * that stops watching new ones (probing stops after 64 slots). */
#define SLOTS 16384u
#define PROBES 64u

static struct pl_prim table[SLOTS];

__thread struct pl_last_prim pl_last;
#define last pl_last

/* In the fork child (the forking thread is its only thread): every entry is its parent's. */
void pl_mappings_reset(void) {
  memset(table, 0, sizeof table);
  last.addr = 0;
  last.prim = NULL;
}

/* splitmix64's finaliser: ids spread over 64 bits, so a collision between two
 * locks of one run is a 2^-64 event. */
static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBULL;
  h ^= h >> 31;
  return h;
}

uint64_t pl_lock_id(uint64_t dev, uint64_t ino, uint64_t offset, unsigned space) {
  uint64_t h = mix(mix(mix(mix(0, space), dev), ino), offset);
  return h ? h : 1; /* 0 means "none" */
}

int pl_mapping_of(const void *addr, struct pl_mapping *m) {
  memset(m, 0, sizeof *m);
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[8192];
  char *line = buf;
  size_t have = 0;
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
      unsigned long long lo, hi, off, ino;
      unsigned major, minor;
      char perms[5] = "";
      int consumed = 0;
      if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu%n", &lo, &hi, perms, &off, &major, &minor, &ino, &consumed) >= 7 && a >= lo && a < hi) {
        m->found = 1;
        m->shared = perms[3] == 's';
        m->dev = ((uint64_t)major << 32) | minor;
        m->ino = ino;
        m->offset = off + (a - lo);
        const char *p = line + consumed;
        while (*p == ' ') p++;
        snprintf(m->path, sizeof m->path, "%s", *p ? p : "(anonymous)");
        close(fd);
        return m->shared;
      }
      line = nl + 1;
    }
    have = (size_t)(buf + have - line);
    memmove(buf, line, have);
  }
  close(fd);
  return 0;
}

static const char *const kind_name[] = {[PRIM_MUTEX] = "mutex", [PRIM_COND] = "cond", [PRIM_SEM] = "sem", [PRIM_RWLOCK] = "rwlock"};

/* The check learns each shared primitive once per process: its id and where it lives. */
static void say_lock(const struct pl_prim *p, enum prim_kind kind, const struct pl_mapping *m) {
  struct jline j;
  jl_begin(&j, "lock");
  jl_int(&j, "pid", pl.pid);
  jl_id(&j, "id", p->id);
  jl_str(&j, "kind", kind_name[kind]);
  jl_str(&j, "path", m->path);
  jl_int(&j, "offset", (long long)m->offset);
  jl_int(&j, "inode", (long long)m->ino);
  jl_emit(&j);
}

static unsigned classify(struct pl_prim *p, const void *addr, enum prim_kind kind, void *caller) {
  struct pl_mapping m;
  unsigned flags = KNOWN | (pl_mapping_of(addr, &m) ? SHARED : 0);
  p->id = (flags & SHARED) ? pl_lock_id(m.dev, m.ino, m.offset, PL_ID_MEMORY) : pl_lock_id(~0ULL, (uint64_t)pl.pid, (uintptr_t)addr, PL_ID_MEMORY);
  if (flags & SHARED) {
    if (pl.check_fd >= 0) say_lock(p, kind, &m);
    pl_check_first_use(addr, kind, caller, &m);
  }
  return flags;
}

static struct pl_prim *lookup(const void *addr, enum prim_kind kind, void *caller) {
  uintptr_t a = (uintptr_t)addr & ~(uintptr_t)FLAGS;
  size_t h = (size_t)((a >> 3) * 0x9E3779B97F4A7C15ULL) % SLOTS;
  for (unsigned i = 0; i < PROBES; i++) {
    struct pl_prim *slot = &table[(h + i) % SLOTS];
    uintptr_t v = __atomic_load_n(&slot->key, __ATOMIC_ACQUIRE);
    if (v == 0) {
      /* Claim the entry as pending so that a concurrent first use waits for
       * this classification instead of reporting the same finding twice. */
      if (!__atomic_compare_exchange_n(&slot->key, &v, a | PENDING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        i--; /* someone took it: look at what they put there */
        continue;
      }
      unsigned flags = classify(slot, addr, kind, caller);
      __atomic_store_n(&slot->key, a | flags, __ATOMIC_RELEASE);
      return slot;
    }
    if ((v & ~(uintptr_t)FLAGS) != a) continue;
    while (v & PENDING) {
      sched_yield();
      v = __atomic_load_n(&slot->key, __ATOMIC_ACQUIRE);
    }
    return slot;
  }
  return NULL; /* table full around here: private unless everything is watched */
}

struct pl_prim *pl_prim_lookup(const void *addr, enum prim_kind kind, void *caller) {
  struct pl_prim *p = lookup(addr, kind, caller);
  /* Only a settled entry: one being classified by another thread is waited for in lookup(). */
  if (p) {
    last.addr = (uintptr_t)addr;
    last.prim = p;
  }
  return p;
}
