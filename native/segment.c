#define _GNU_SOURCE
#include "segment.h"

#include "mvar.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, int code, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return code;
}

static int errno_class(int e) {
  switch (e) {
  case ENOENT: return MVR_E_NOENT;
  case EACCES:
  case EPERM: return MVR_E_PERM;
  case EEXIST: return MVR_E_EXIST;
  default: return MVR_E_SYS;
  }
}

const char *mvr_err_name(int err) {
  switch (err) {
  case MVR_OK: return "OK";
  case MVR_E_ARG: return "EARG";
  case MVR_E_NOENT: return "ENOENT";
  case MVR_E_PERM: return "EACCES";
  case MVR_E_SIZE: return "ESEGSIZE";
  case MVR_E_MAGIC: return "ESEGMAGIC";
  case MVR_E_VERSION: return "ESEGVERSION";
  case MVR_E_BOUNDS: return "ESEGBOUNDS";
  case MVR_E_EXIST: return "EEXIST";
  case MVR_E_CLOSED: return "ECLOSED";
  case MVR_E_BUSY: return "EBUSY";
  case MVR_E_MVAR: return "EMVAR";
  default: return "ESYS";
  }
}

static int is_pow2(uint32_t v) { return v && !(v & (v - 1)); }

static uint32_t round_pow2(uint32_t v) {
  uint32_t p = 1;
  while (p < v && p < MVR_MAX_RING_EVENTS) p <<= 1;
  return p;
}

struct offsets {
  uint64_t mvar, slots, rings, ring_size, total;
};

static int compute(uint32_t procs, uint32_t ring_cap, struct offsets *o) {
  if (procs == 0 || procs > MVR_MAX_PROCS) return 0;
  if (ring_cap < MVR_MIN_RING_EVENTS || ring_cap > MVR_MAX_RING_EVENTS || !is_pow2(ring_cap)) return 0;
  o->mvar = mvr_align(sizeof(struct mvr_header));
  o->slots = mvr_align(o->mvar + sizeof(struct mvr_mvar));
  o->rings = mvr_align(o->slots + (uint64_t)procs * sizeof(struct mvr_slot));
  o->ring_size = mvr_align(mvr_ring_bytes(ring_cap));
  o->total = o->rings + (uint64_t)procs * o->ring_size;
  return 1;
}

int mvr_segment_check(const void *base, size_t avail, struct mvr_header *validated, char *err, size_t errlen) {
  if (avail < sizeof(struct mvr_header))
    return fail(err, errlen, MVR_E_SIZE, "segment too small: %zu bytes, the header alone needs %zu", avail,
                sizeof(struct mvr_header));
  /* Validate a private copy: another process may write the header while we look. */
  struct mvr_header copy;
  const struct mvr_header *h = &copy;
  uint64_t magic = __atomic_load_n(&((const struct mvr_header *)base)->magic, __ATOMIC_ACQUIRE);
  memcpy(&copy, base, sizeof copy);
  copy.magic = magic;
  if (magic != MVR_MAGIC)
    return fail(err, errlen, MVR_E_MAGIC, "not an mvar-repro segment: magic is 0x%016llx, expected 0x%016llx",
                (unsigned long long)magic, (unsigned long long)MVR_MAGIC);
  if (h->layout_version != MVR_LAYOUT_VERSION)
    return fail(err, errlen, MVR_E_VERSION, "segment layout version %u is not supported (this build reads version %u)",
                h->layout_version, MVR_LAYOUT_VERSION);
  if (h->header_size != sizeof(struct mvr_header) || h->event_size != sizeof(struct mvr_event) ||
      h->slot_size != sizeof(struct mvr_slot))
    return fail(err, errlen, MVR_E_BOUNDS, "record sizes differ from this build (header %u, event %u, slot %u)",
                h->header_size, h->event_size, h->slot_size);
  struct offsets o;
  if (!compute(h->proc_capacity, h->ring_capacity, &o))
    return fail(err, errlen, MVR_E_BOUNDS,
                "capacities out of bounds: %u processes (1..%u), %u events per ring (power of two, %u..%u)",
                h->proc_capacity, MVR_MAX_PROCS, h->ring_capacity, MVR_MIN_RING_EVENTS, MVR_MAX_RING_EVENTS);
  if (h->mvar_offset != o.mvar || h->slots_offset != o.slots || h->rings_offset != o.rings ||
      h->ring_size != o.ring_size || h->total_size != o.total)
    return fail(err, errlen, MVR_E_BOUNDS, "offsets in the header do not match its capacities");
  if (h->total_size > avail)
    return fail(err, errlen, MVR_E_SIZE, "segment too small: %zu bytes, its header claims %llu", avail,
                (unsigned long long)h->total_size);
  if (h->variant != MVR_VARIANT_ORIGINAL && h->variant != MVR_VARIANT_FIXED)
    return fail(err, errlen, MVR_E_BOUNDS, "unknown variant %u", h->variant);
  if (h->fault >= MVR_FAULT_COUNT) return fail(err, errlen, MVR_E_BOUNDS, "unknown fault %u", h->fault);
  if (h->nslaves >= h->proc_capacity)
    return fail(err, errlen, MVR_E_BOUNDS, "%u slaves do not fit %u process slots", h->nslaves, h->proc_capacity);
  if (validated) *validated = copy;
  return MVR_OK;
}

int mvr_segment_name(const char *in, char *out, size_t outlen, char *err, size_t errlen) {
  if (!in || !*in) return fail(err, errlen, MVR_E_ARG, "empty segment name");
  if (strncmp(in, "/dev/shm/", 9) == 0) in += 8; /* keep the slash */
  const char *bare = in[0] == '/' ? in + 1 : in;
  size_t n = strlen(bare);
  if (n == 0 || n + 2 > outlen || n + 2 > MVR_NAME_MAX)
    return fail(err, errlen, MVR_E_ARG, "segment name must be 1..%d characters", MVR_NAME_MAX - 2);
  if (strchr(bare, '/') || strcmp(bare, ".") == 0 || strcmp(bare, "..") == 0)
    return fail(err, errlen, MVR_E_ARG, "segment name '%s' is not a single path component", bare);
  out[0] = '/';
  memcpy(out + 1, bare, n + 1);
  return MVR_OK;
}

static void bind_regions(struct mvr_seg *s, const struct mvr_header *h) {
  unsigned char *b = (unsigned char *)s->base;
  s->mvar = (struct mvr_mvar *)(b + h->mvar_offset);
  s->slots = (struct mvr_slot *)(b + h->slots_offset);
  s->rings = b + h->rings_offset;
  s->proc_capacity = h->proc_capacity;
  s->ring_capacity = h->ring_capacity;
  s->ring_size = h->ring_size;
  s->variant = h->variant;
  s->fault = h->fault;
  s->fault_target = h->fault_target;
  s->rounds = h->rounds;
  s->nslaves = h->nslaves;
}

int mvr_segment_create(const struct mvr_create_opts *o, struct mvr_seg *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  out->lock_fd = -1;
  if (o->variant != MVR_VARIANT_ORIGINAL && o->variant != MVR_VARIANT_FIXED)
    return fail(err, errlen, MVR_E_ARG, "unknown variant %u", o->variant);
  if (o->fault >= MVR_FAULT_COUNT) return fail(err, errlen, MVR_E_ARG, "unknown fault %u", o->fault);
  if (o->fault != MVR_FAULT_NONE && o->variant != MVR_VARIANT_FIXED)
    return fail(err, errlen, MVR_E_ARG, "faults are staged on the fixed variant only");
  uint32_t procs = o->proc_capacity ? o->proc_capacity : o->nslaves + 1;
  uint32_t ring_cap = round_pow2(o->ring_capacity ? o->ring_capacity : MVR_DEFAULT_RING_EVENTS);
  if (ring_cap < MVR_MIN_RING_EVENTS) ring_cap = MVR_MIN_RING_EVENTS;
  struct offsets off;
  if (o->nslaves + 1 > procs || !compute(procs, ring_cap, &off))
    return fail(err, errlen, MVR_E_ARG, "capacities out of bounds: %u slaves, %u process slots (max %u)", o->nslaves,
                procs, MVR_MAX_PROCS);

  unsigned char rnd[8];
  if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
    return fail(err, errlen, MVR_E_SYS, "getrandom: %s", strerror(errno));
  char name[MVR_NAME_MAX];
  snprintf(name, sizeof name, "/mvar-repro-%d-%02x%02x%02x%02x%02x%02x%02x%02x", (int)getpid(), rnd[0], rnd[1],
           rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);

  int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    int e = errno;
    return fail(err, errlen, errno_class(e), "cannot create shared memory %s: %s", name, strerror(e));
  }
  /* Held for the segment's life; the kernel drops it when the creator dies
   * (flock is per open file description; we never fork with this fd). */
  if (flock(fd, LOCK_EX) != 0) {
    int e = errno;
    close(fd);
    shm_unlink(name);
    return fail(err, errlen, MVR_E_SYS, "cannot lock shared memory %s: %s", name, strerror(e));
  }
  /* Nothing opens it by name: workers open the creator's descriptor
   * (/proc/PID/fd/N). Unlinked before it is sized, so that no death of the
   * creator from here on — SIGKILL, or a fault while it is set up — leaves
   * memory behind in /dev/shm. */
  shm_unlink(name);
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    int e = errno;
    close(fd);
    return fail(err, errlen, MVR_E_SYS, "cannot set close-on-exec on %s: %s", name, strerror(e));
  }
  if (ftruncate(fd, (off_t)off.total) != 0) {
    int e = errno;
    close(fd);
    return fail(err, errlen, MVR_E_SYS, "cannot size shared memory %s to %llu bytes: %s", name,
                (unsigned long long)off.total, strerror(e));
  }
  /* ftruncate only sets the size: on a small or full /dev/shm the first touch
   * of a page that tmpfs cannot back is a SIGBUS, in us or in any process
   * that maps the segment. Reserving every page now turns that into ENOSPC
   * (or ENOMEM under a memory limit) here, before anything runs on it. */
  int fe = posix_fallocate(fd, 0, (off_t)off.total);
  if (fe != 0) {
    close(fd);
    return fail(err, errlen, MVR_E_SYS, "cannot reserve %llu bytes of shared memory in /dev/shm: %s",
                (unsigned long long)off.total, strerror(fe));
  }
  void *base = mmap(NULL, off.total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int e = errno;
  if (base == MAP_FAILED) {
    close(fd);
    return fail(err, errlen, MVR_E_SYS, "cannot map shared memory %s: %s", name, strerror(e));
  }

  /* ftruncate on tmpfs gives zero-filled pages: only non-zero fields are set. */
  struct mvr_header *h = (struct mvr_header *)base;
  h->layout_version = MVR_LAYOUT_VERSION;
  h->header_size = sizeof(struct mvr_header);
  h->total_size = off.total;
  h->proc_capacity = procs;
  h->ring_capacity = ring_cap;
  h->event_size = sizeof(struct mvr_event);
  h->slot_size = sizeof(struct mvr_slot);
  h->ring_size = off.ring_size;
  h->mvar_offset = off.mvar;
  h->slots_offset = off.slots;
  h->rings_offset = off.rings;
  h->variant = o->variant;
  h->fault = o->fault;
  h->fault_target = o->fault_target ? o->fault_target : 1;
  h->rounds = o->rounds;
  h->nslaves = o->nslaves;
  h->creator_pid = (int32_t)getpid();
  h->created_ns = mvr_now_ns();
  h->created_realtime_ns = mvr_realtime_ns();
  memcpy(h->name, name, sizeof name);

  out->base = base;
  out->size = off.total;
  out->hdr = h;
  bind_regions(out, h);
  memcpy(out->name, name, sizeof name);
  for (uint32_t i = 0; i < procs; i++) {
    out->slots[i].exit_status = -1;
    struct mvr_ring *r = mvr_ring_at(out, i);
    r->capacity = ring_cap;
    r->slot = i;
  }
  mvr_mvar_init(out->mvar, o->variant, o->fault);
  /* Published last: an opener that sees the magic sees an initialised segment. */
  __atomic_store_n(&h->magic, MVR_MAGIC, __ATOMIC_RELEASE);
  out->lock_fd = fd;
  return MVR_OK;
}

void mvr_segment_open_path(const struct mvr_seg *s, char *out, size_t outlen) {
  snprintf(out, outlen, "/proc/%d/fd/%d", (int)getpid(), s->lock_fd);
}

/* "/proc/PID/fd/N": another process's descriptor of a segment. */
static int is_fd_path(const char *p) {
  unsigned pid, fd;
  char tail;
  return sscanf(p, "/proc/%u/fd/%u%c", &pid, &fd, &tail) == 2;
}

int mvr_segment_open(const char *in_name, struct mvr_seg *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  out->lock_fd = -1;
  char name[MVR_NAME_MAX];
  int rc;
  int by_fd = in_name && strlen(in_name) < sizeof name && is_fd_path(in_name);
  if (by_fd)
    snprintf(name, sizeof name, "%s", in_name);
  else if ((rc = mvr_segment_name(in_name, name, sizeof name, err, errlen)) != 0)
    return rc;
  /* Non-blocking: a FIFO or device under a segment's name opens at once and is
   * refused below, never waited on (shm_open adds O_NOFOLLOW itself). */
  int fd = by_fd ? open(name, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) : shm_open(name, O_RDWR | O_NONBLOCK | O_NOCTTY, 0);
  if (fd < 0) {
    int e = errno;
    return fail(err, errlen, errno_class(e), "cannot open shared memory %s: %s", name, strerror(e));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return fail(err, errlen, MVR_E_SYS, "cannot stat shared memory %s: %s", name, strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return fail(err, errlen, MVR_E_MAGIC, "%s is not a shared memory object (not a regular file)", name);
  }
  size_t size = (size_t)st.st_size;
  if (size < sizeof(struct mvr_header)) {
    close(fd);
    return fail(err, errlen, MVR_E_SIZE, "segment too small: %zu bytes, the header alone needs %zu", size,
                sizeof(struct mvr_header));
  }
  void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int e = errno;
  close(fd);
  if (base == MAP_FAILED) return fail(err, errlen, MVR_E_SYS, "cannot map shared memory %s: %s", name, strerror(e));
  struct mvr_header valid;
  rc = mvr_segment_check(base, size, &valid, err, errlen);
  if (rc) {
    munmap(base, size);
    return rc;
  }
  out->base = base;
  out->size = size;
  out->hdr = (struct mvr_header *)base;
  bind_regions(out, &valid);
  /* The segment's own name (from the validated header), not the path it was opened by. */
  snprintf(out->name, sizeof out->name, "%.*s", (int)sizeof valid.name - 1, valid.name);
  return MVR_OK;
}

void mvr_segment_close(struct mvr_seg *s) {
  if (s->base) munmap(s->base, s->size);
  if (s->lock_fd >= 0) close(s->lock_fd);
  s->lock_fd = -1;
  s->base = NULL;
  s->hdr = NULL;
}

int mvr_segment_unlink(const char *in_name, char *err, size_t errlen) {
  char name[MVR_NAME_MAX];
  int rc = mvr_segment_name(in_name, name, sizeof name, err, errlen);
  if (rc) return rc;
  if (shm_unlink(name) != 0) {
    int e = errno;
    return fail(err, errlen, errno_class(e), "cannot unlink shared memory %s: %s", name, strerror(e));
  }
  return MVR_OK;
}
