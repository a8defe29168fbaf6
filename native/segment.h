/*
 * One POSIX shared-memory object per run: create, open (validated), close,
 * unlink. Everything a reader uses afterwards (capacities, offsets) is taken
 * from the validated copy in struct mvr_seg, never re-read from the segment,
 * so a process that scribbles on the header cannot make us index out of it.
 */
#ifndef MVR_SEGMENT_H
#define MVR_SEGMENT_H

#include "layout.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error classes; each comes with a sentence in the caller's buffer. */
enum mvr_err {
  MVR_OK = 0,
  MVR_E_ARG = -1,      /* bad argument from the caller */
  MVR_E_NOENT = -2,    /* no segment of that name */
  MVR_E_PERM = -3,     /* not allowed to open or create it */
  MVR_E_SIZE = -4,     /* smaller than its header, or than the size it claims */
  MVR_E_MAGIC = -5,    /* not an mvar-repro segment */
  MVR_E_VERSION = -6,  /* a layout version this build does not read */
  MVR_E_BOUNDS = -7,   /* a count, offset or size in the header is out of bounds */
  MVR_E_SYS = -8,      /* any other system error */
  MVR_E_EXIST = -9,    /* name taken (create is O_EXCL) */
  /* raised by the addon only */
  MVR_E_CLOSED = -10,  /* the segment object was closed */
  MVR_E_BUSY = -11,    /* a take/put of this process is still pending */
  MVR_E_MVAR = -12,    /* take/put/abba returned a pthread error (errno set beside it) */
};

struct mvr_seg {
  void *base;
  size_t size;
  /* The creator's descriptor of the object, kept open with an exclusive
   * flock() for the segment's life: workers open it as /proc/PID/fd/N, and a
   * sweep can prove a leftover stale by taking the lock. -1 for openers. */
  int lock_fd;
  struct mvr_header *hdr;
  struct mvr_mvar *mvar;
  struct mvr_slot *slots;
  unsigned char *rings;
  /* validated copies */
  uint32_t proc_capacity;
  uint32_t ring_capacity;
  uint64_t ring_size;
  uint32_t variant;
  uint32_t fault;
  uint32_t fault_target;
  uint32_t rounds;
  uint32_t nslaves;
  char name[MVR_NAME_MAX];
};

struct mvr_create_opts {
  uint32_t variant;
  uint32_t fault;
  uint32_t fault_target;  /* 0 picks slave 1 */
  uint32_t rounds;
  uint32_t nslaves;
  uint32_t proc_capacity; /* 0 picks nslaves + 1 */
  uint32_t ring_capacity; /* 0 picks MVR_DEFAULT_RING_EVENTS; rounded up to a power of two */
};

const char *mvr_err_name(int err);

/* Checks a header against the bytes actually available; no I/O. On success
 * *validated (if given) receives the copy that was checked. */
int mvr_segment_check(const void *base, size_t avail, struct mvr_header *validated, char *err, size_t errlen);

int mvr_segment_create(const struct mvr_create_opts *o, struct mvr_seg *out, char *err, size_t errlen);
int mvr_segment_open(const char *name, struct mvr_seg *out, char *err, size_t errlen);
void mvr_segment_close(struct mvr_seg *s);
int mvr_segment_unlink(const char *name, char *err, size_t errlen);

/* Removes a leftover segment NAME from DIR (NULL: /dev/shm) only when it is
 * provably stale: a regular file owned by this user, an mvar-repro header,
 * and no creator holds its lock; never opens anything that could block or
 * follows a symlink (sweep.c). Returns 1 when removed, 0 when left alone
 * (err says why), or an error. */
int mvr_segment_sweep(const char *dir, const char *name, char *err, size_t errlen);

/* The path any process of this user opens the creator's segment by: the name
 * is unlinked as soon as the segment exists, so nothing is left in /dev/shm
 * if the creator dies, however it dies. */
void mvr_segment_open_path(const struct mvr_seg *s, char *out, size_t outlen);

/* Normalises "NAME", "/NAME" or "/dev/shm/NAME" to "/NAME"; MVR_E_ARG if it cannot be a name. */
int mvr_segment_name(const char *in, char *out, size_t outlen, char *err, size_t errlen);

static inline struct mvr_ring *mvr_ring_at(const struct mvr_seg *s, uint32_t slot) {
  return (struct mvr_ring *)(s->rings + (uint64_t)slot * s->ring_size);
}

#ifdef __cplusplus
}
#endif

#endif
