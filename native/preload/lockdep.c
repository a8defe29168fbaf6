/*
 * The raw material of the lock-order graph (lockdep's idea, across
 * processes): each thread keeps the set of locks it holds; before a call
 * that may wait for lock B, every watched lock A it holds gives an edge
 * A -> B, written once per process as a JSON line ("edge") with both call
 * sites, the threads that took it and the locks held around it. The CLI
 * joins every process's edges by lock id (mappings.c), finds the cycles and
 * keeps those that can deadlock (src/core/preload/lock-graph.ts).
 *
 * Cost: a thread's held set is a page mapped at its first lock (TLS holds a
 * pointer); an acquisition while holding nothing costs a push, a release a
 * pop. An edge already recorded with this thread and no fewer gate locks is
 * one hash lookup and a few compares, no write and no lock. Memory is
 * bounded: 16 held locks a thread (more are not tracked), 1024 edges a
 * process (more are counted in one "edges-dropped" line).
 *
 * Gates: each edge remembers which exclusive locks were held, other than its
 * two ends, every time it was taken (an intersection, 4 at most: dropping
 * one only makes the CLI report more, never less). Two orders always taken
 * under a common gate cannot deadlock; the CLI needs the intersection to
 * tell. Private mutexes are held as possible gates only, never as edge ends.
 */
#define _GNU_SOURCE
#include "emit.h"
#include "lockset.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Threads and gates an edge remembers: a cycle of up to 4 locks needs 4 distinct threads. */
#define EDGE_THREADS 4
#define EDGE_GATES 4
/* 1024 x 128 bytes = 128 KiB of zero pages until used. */
#define EDGE_SLOTS 1024u
#define EDGE_PROBES 32u

struct edge {
  uint64_t from, to;
  void *from_site, *to_site;
  uint32_t state; /* 0 free, 1 being filled, 2 ready */
  uint32_t lock;  /* held while a thread adds itself or narrows the gates */
  uint32_t from_how, to_how;
  uint8_t nthreads, ngates;
  int32_t threads[EDGE_THREADS][2];
  uint64_t gates[EDGE_GATES];
};

__thread struct lockset *pl_ls;
static struct edge edges[EDGE_SLOTS];
static uint32_t edges_used, edges_dropped;
static pthread_key_t ls_key;
static pthread_once_t ls_once = PTHREAD_ONCE_INIT;

static void ls_free(void *p) {
  if (pl_ls == p) pl_ls = NULL;
  munmap(p, sizeof(struct lockset));
}

static void ls_key_create(void) { pthread_key_create(&ls_key, ls_free); }

/* The calling thread's set, mapped at its first lock; NULL if it cannot be. */
struct lockset *pl_ld_alloc(void) {
  struct lockset *s;
  /* mmap, not malloc: an allocator may itself lock mutexes, which land here. */
  s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (s == MAP_FAILED) return NULL;
  s->tid = (int32_t)gettid();
  pl_ls = s;
  pthread_once(&ls_once, ls_key_create);
  pthread_setspecific(ls_key, s);
  return s;
}

void pl_ld_after_fork(void) {
  /* The child holds none of the locks its parent's thread held (a process-shared one stays the parent's). */
  if (pl_ls) {
    pl_ls->n = 0;
    pl_ls->files = 0;
    pl_ls->tid = (int32_t)gettid();
  }
  if (__atomic_load_n(&edges_used, __ATOMIC_RELAXED)) memset(edges, 0, sizeof edges);
  edges_used = edges_dropped = 0;
}

static uint64_t edge_hash(uint64_t a, uint64_t b, const void *s, const void *t) {
  uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL);
  h ^= ((uint64_t)(uintptr_t)s * 0xC2B2AE3D27D4EB4FULL) ^ ((uint64_t)(uintptr_t)t * 0x165667B19E3779F9ULL);
  return h ^ (h >> 29);
}

static int has(const uint64_t *set, unsigned n, uint64_t v) {
  for (unsigned i = 0; i < n; i++)
    if (set[i] == v) return 1;
  return 0;
}

static const char *mode(unsigned how) { return how & LK_READ ? "read" : "write"; }

static void say_edge(const struct edge *e) {
  struct jline j;
  jl_begin(&j, "edge");
  jl_int(&j, "pid", pl.pid);
  jl_id(&j, "from", e->from);
  jl_id(&j, "to", e->to);
  jl_site(&j, "fromSite", e->from_site);
  jl_site(&j, "toSite", e->to_site);
  jl_callers(&j, "toCallers", e->to_site, 2);
  jl_str(&j, "fromMode", mode(e->from_how));
  jl_str(&j, "toMode", mode(e->to_how));
  jl_bool(&j, "timed", (e->to_how & LK_TIMED) != 0);
  jl_bool(&j, "fromProcessOwned", (e->from_how & LK_PROCESS) != 0);
  jl_bool(&j, "toProcessOwned", (e->to_how & LK_PROCESS) != 0);
  jl_threads(&j, "threads", (const int32_t(*)[2])e->threads, e->nthreads);
  jl_ids(&j, "gates", e->gates, e->ngates);
  jl_emit(&j);
}

/* Is this occurrence (this thread, these gates) already in the edge? Reads only. */
static int known(const struct edge *e, int32_t tid, const uint64_t *gates, unsigned ng) {
  int thread = e->nthreads == EDGE_THREADS;
  for (unsigned i = 0; i < e->nthreads && !thread; i++) thread = e->threads[i][0] == pl.pid && e->threads[i][1] == tid;
  if (!thread) return 0;
  for (unsigned i = 0; i < e->ngates; i++)
    if (!has(gates, ng, e->gates[i])) return 0;
  return 1;
}

static void fill(struct edge *e, int32_t tid, const uint64_t *gates, unsigned ng) {
  int thread = 0;
  for (unsigned i = 0; i < e->nthreads; i++) thread |= e->threads[i][0] == pl.pid && e->threads[i][1] == tid;
  if (!thread && e->nthreads < EDGE_THREADS) {
    e->threads[e->nthreads][0] = pl.pid;
    e->threads[e->nthreads][1] = tid;
    e->nthreads++;
  }
  unsigned k = 0;
  for (unsigned i = 0; i < e->ngates; i++)
    if (has(gates, ng, e->gates[i])) e->gates[k++] = e->gates[i];
  e->ngates = (uint8_t)k;
}

static void edge(const struct held *from, uint64_t to, unsigned how, void *site, int32_t tid, const uint64_t *gates, unsigned ng) {
  uint64_t h = edge_hash(from->id, to, from->site, site);
  for (unsigned i = 0; i < EDGE_PROBES; i++) {
    struct edge *e = &edges[(h + i) % EDGE_SLOTS];
    uint32_t st = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
    if (st == 0) {
      if (!__atomic_compare_exchange_n(&e->state, &st, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        i--; /* taken meanwhile: look again at the same slot */
        continue;
      }
      e->from = from->id;
      e->to = to;
      e->from_site = from->site;
      e->to_site = site;
      e->from_how = from->how;
      e->to_how = how;
      e->threads[0][0] = pl.pid;
      e->threads[0][1] = tid;
      e->nthreads = 1;
      unsigned k = 0;
      for (unsigned g = 0; g < ng && k < EDGE_GATES; g++)
        if (gates[g] != from->id && gates[g] != to) e->gates[k++] = gates[g];
      e->ngates = (uint8_t)k;
      __atomic_fetch_add(&edges_used, 1, __ATOMIC_RELAXED);
      struct edge copy = *e;
      __atomic_store_n(&e->state, 2, __ATOMIC_RELEASE);
      say_edge(&copy);
      return;
    }
    while (st == 1) {
      sched_yield();
      st = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
    }
    if (e->from != from->id || e->to != to || e->from_site != from->site || e->to_site != site) continue;
    if (known(e, tid, gates, ng)) return;
    while (__atomic_exchange_n(&e->lock, 1, __ATOMIC_ACQUIRE)) sched_yield();
    fill(e, tid, gates, ng);
    struct edge copy = *e;
    __atomic_store_n(&e->lock, 0, __ATOMIC_RELEASE);
    say_edge(&copy);
    return;
  }
  if (__atomic_fetch_add(&edges_dropped, 1, __ATOMIC_RELAXED) == 0) {
    struct jline j;
    jl_begin(&j, "edges-dropped");
    jl_int(&j, "pid", pl.pid);
    jl_emit(&j);
  }
}

/* The exclusive locks held (private ones too): every lock that can gate. */
static unsigned gates_of(const struct lockset *s, uint64_t *gates) {
  unsigned ng = 0;
  for (unsigned i = 0; i < s->n; i++)
    if (!(s->h[i].how & (LK_READ | LK_SEM))) gates[ng++] = s->h[i].id;
  return ng;
}

void pl_ld_edges(struct lockset *s, uint64_t id, unsigned how, void *site) {
  uint64_t gates[HELD_MAX];
  unsigned ng = gates_of(s, gates);
  for (unsigned i = 0; i < s->n; i++)
    if ((s->h[i].how & LK_NODE) && s->h[i].id != id) edge(&s->h[i], id, how, site, s->tid, gates, ng);
}

void pl_ld_retaken(int index, void *site) {
  struct lockset *s = pl_ls;
  if (!s || index < 0 || index >= s->n || !(s->h[index].how & LK_NODE)) return;
  uint64_t gates[HELD_MAX];
  unsigned ng = gates_of(s, gates);
  const struct held m = s->h[index];
  for (unsigned i = (unsigned)index + 1; i < s->n; i++)
    if ((s->h[i].how & LK_NODE) && s->h[i].id != m.id) edge(&s->h[i], m.id, m.how | LK_BLOCKS, site, s->tid, gates, ng);
}

void pl_ld_drop_at(struct lockset *s, int index) {
  if (s->h[index].how & LK_FILE) s->files--;
  memmove(&s->h[index], &s->h[index + 1], (size_t)(s->n - index - 1) * sizeof s->h[0]);
  s->n--;
}

void pl_ld_drop_file(const void *file, uint64_t start, uint64_t end) {
  struct lockset *s = pl_ls;
  if (!s || !s->files) return;
  for (int i = s->n - 1; i >= 0; i--)
    if ((s->h[i].how & LK_FILE) && s->h[i].key == file && s->h[i].start >= start && (end == 0 || s->h[i].start < end)) pl_ld_drop_at(s, i);
}

int pl_ld_files_held(void) { return pl_ls && pl_ls->files; }
