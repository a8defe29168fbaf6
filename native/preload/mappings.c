/*
 * Which primitives the preload library watches, decided once per address
 * and process: the first use reads /proc/self/maps (tens of microseconds),
 * every later use is a lock-free hash lookup. A classification is never
 * revisited, so memory unmapped and mapped again as another kind at the same
 * address keeps its first answer (pthread_*_destroy does not forget it either).
 */
#define _GNU_SOURCE
#include "preload.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Entries are addr | flags; pthread and semaphore objects are 8-byte aligned
 * on x86_64, which leaves the low three bits free. */
#define KNOWN 1u
#define SHARED 2u
#define PENDING 4u
#define FLAGS 7u
/* 16384 x 8 bytes: zero pages until used; a program with more primitives than
 * that stops watching new ones (probing stops after 64 slots). */
#define SLOTS 16384u
#define PROBES 64u

static uintptr_t table[SLOTS];

void pl_mappings_reset(void) { memset(table, 0, sizeof table); }

int pl_shared_mapping(const void *addr, char *path, size_t pathlen, unsigned long long *offset) {
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
      unsigned long long lo, hi, off;
      char perms[5] = "";
      int consumed = 0;
      if (sscanf(line, "%llx-%llx %4s %llx %*s %*s%n", &lo, &hi, perms, &off, &consumed) >= 4 && a >= lo && a < hi) {
        int found = perms[3] == 's';
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

static unsigned classify(const void *addr, enum prim_kind kind, void *caller) {
  char path[512];
  unsigned long long offset;
  unsigned flags = KNOWN | (pl_shared_mapping(addr, path, sizeof path, &offset) ? SHARED : 0);
  if (flags & SHARED) pl_check_first_use(addr, kind, caller, path, offset);
  return flags;
}

int pl_watch_lookup(const void *addr, enum prim_kind kind, void *caller) {
  uintptr_t a = (uintptr_t)addr & ~(uintptr_t)FLAGS;
  size_t h = (size_t)((a >> 3) * 0x9E3779B97F4A7C15ULL) % SLOTS;
  for (unsigned i = 0; i < PROBES; i++) {
    uintptr_t *slot = &table[(h + i) % SLOTS];
    uintptr_t v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (v == 0) {
      /* Claim the entry as pending so that a concurrent first use waits for
       * this classification instead of reporting the same finding twice. */
      if (!__atomic_compare_exchange_n(slot, &v, a | PENDING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        i--; /* someone took it: look at what they put there */
        continue;
      }
      unsigned flags = classify(addr, kind, caller);
      __atomic_store_n(slot, a | flags, __ATOMIC_RELEASE);
      return pl.trace_all || (flags & SHARED);
    }
    if ((v & ~(uintptr_t)FLAGS) != a) continue;
    while (v & PENDING) {
      sched_yield();
      v = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    }
    return pl.trace_all || (v & SHARED);
  }
  return pl.trace_all; /* table full around here: private unless everything is watched */
}
