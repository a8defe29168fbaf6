/*
 * File locks in the lock-order graph (check only): fcntl and fcntl64 with
 * F_SETLK(W) and F_OFD_SETLK(W), lockf, and flock. A file lock's id is its
 * file (device and inode, so every process and every descriptor agree) and,
 * for record locks, the first byte of its range (overlapping ranges that
 * start elsewhere are other locks: a simplification, said in the README). A
 * classic POSIX record lock belongs to the process, so two threads of one
 * process never wait for each other on it; the edge says so.
 *
 * Released: by an unlock of a range that holds its first byte, by close() of
 * any descriptor of the file (POSIX locks go with any close; flock and OFD
 * locks with the last descriptor of their open file, which close() here
 * takes as released too), and with the process.
 *
 * fcntl is variadic: its third argument is read as a pointer-sized value,
 * as glibc's own fcntl does, and handed on unchanged (an int argument passes
 * in the same register). Nothing here runs unless the check is on; errno is
 * what the real call left.
 */
#define _GNU_SOURCE
/* The build sets _FILE_OFFSET_BITS=64, under which <fcntl.h> renames fcntl to
 * fcntl64 (and lockf to lockf64): both names are defined here, each its own. */
#undef _FILE_OFFSET_BITS
#include "emit.h"
#include "lockset.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static struct {
  int (*fcntl)(int, int, ...);
  int (*fcntl64)(int, int, ...);
  int (*lockf)(int, int, off_t);
  int (*lockf64)(int, int, off64_t);
  int (*flock)(int, int);
  int (*close)(int);
} real;

static void resolve(void) {
  real.fcntl = dlsym(RTLD_NEXT, "fcntl");
  real.fcntl64 = dlsym(RTLD_NEXT, "fcntl64");
  if (!real.fcntl64) real.fcntl64 = real.fcntl;
  real.lockf = dlsym(RTLD_NEXT, "lockf");
  real.lockf64 = dlsym(RTLD_NEXT, "lockf64");
  if (!real.lockf64) real.lockf64 = real.lockf;
  real.flock = dlsym(RTLD_NEXT, "flock");
  real.close = dlsym(RTLD_NEXT, "close");
}

#define REAL(f) (__builtin_expect(real.f != NULL, 1) ? real.f : (resolve(), real.f))
#define CALLER __builtin_return_address(0)

/* File locks whose "lock" line this process wrote (a repeat is harmless, so a full set just writes again). */
#define SAID_SLOTS 256u
static uint64_t said[SAID_SLOTS];

static int first_time(uint64_t id) {
  for (unsigned i = 0; i < SAID_SLOTS; i++) {
    uint64_t *s = &said[(id + i) % SAID_SLOTS], v = 0;
    if (__atomic_compare_exchange_n(s, &v, id, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return 1;
    if (v == id) return 0;
  }
  return 1;
}

void pl_filelock_after_fork(void) {
  for (unsigned i = 0; i < SAID_SLOTS; i++) said[i] = 0;
}

/* The lock being taken: its id, the file's key, its range and how it is held. */
struct file_lock {
  uint64_t id, start, end; /* end 0: to the end of the file */
  const void *file;
  unsigned how;
  int unlock, tracked;
};

static const void *file_key(const struct stat *st, unsigned space) { return (const void *)(uintptr_t)pl_lock_id(st->st_dev, st->st_ino, ~0ULL, space); }

static void say_lock(int fd, const struct file_lock *l, const char *kind, uint64_t ino) {
  if (!first_time(l->id)) return;
  char link[40], path[512];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  path[n > 0 ? n : 0] = '\0';
  struct jline j;
  jl_begin(&j, "lock");
  jl_int(&j, "pid", pl.pid);
  jl_id(&j, "id", l->id);
  jl_str(&j, "kind", kind);
  jl_str(&j, "path", path);
  jl_int(&j, "offset", (long long)l->start);
  jl_int(&j, "inode", (long long)ino);
  jl_emit(&j);
}

/* Before the call: what lock it is, and the edges to it if it may wait. */
static struct file_lock before(int fd, short type, uint64_t start, uint64_t len, unsigned space, unsigned how, const char *kind, void *site) {
  struct file_lock l = {0};
  struct stat st;
  int err = errno;
  if (fstat(fd, &st) != 0) {
    errno = err;
    return l;
  }
  l.tracked = 1;
  l.file = file_key(&st, space);
  l.start = start;
  l.end = len ? start + len : 0;
  l.unlock = type == F_UNLCK;
  l.how = how | LK_NODE | LK_FILE | (type == F_RDLCK ? LK_READ : 0);
  l.id = pl_lock_id(st.st_dev, st.st_ino, space == PL_ID_FLOCK ? 0 : start, space);
  if (!l.unlock) {
    say_lock(fd, &l, kind, st.st_ino);
    pl_ld_before(l.id, l.how, site);
  }
  errno = err;
  return l;
}

/* After it: held or released. Taking a lock the thread holds again converts it (read to write): one entry. */
static int after(const struct file_lock *l, int rc, void *site) {
  if (!l->tracked || rc != 0) return rc;
  pl_ld_drop_file(l->file, l->start, l->unlock ? l->end : l->start + 1);
  if (!l->unlock) pl_ld_acquired(l->id, l->file, l->start, l->how, site);
  return rc;
}

/* The first byte of a struct flock's range, from its whence. */
static uint64_t range_start(int fd, const struct flock *fl, uint64_t *len) {
  off_t base = 0;
  int err = errno;
  if (fl->l_whence == SEEK_CUR) base = lseek(fd, 0, SEEK_CUR);
  else if (fl->l_whence == SEEK_END) {
    struct stat st;
    base = fstat(fd, &st) == 0 ? st.st_size : 0;
  }
  errno = err;
  long long s = (long long)base + fl->l_start, n = fl->l_len;
  if (n < 0) { /* a negative length covers the bytes before l_start */
    s += n;
    n = -n;
  }
  *len = (uint64_t)n;
  return s < 0 ? 0 : (uint64_t)s;
}

static int record_lock(int (*f)(int, int, ...), int fd, int cmd, void *arg, void *site) {
  struct flock *fl = arg;
  int posix = cmd == F_SETLK || cmd == F_SETLKW, ofd = cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
  if (!pl.checking || (!posix && !ofd) || !fl) return f(fd, cmd, arg);
  uint64_t len, start = range_start(fd, fl, &len);
  unsigned how = (cmd == F_SETLKW || cmd == F_OFD_SETLKW ? LK_BLOCKS : 0) | (posix ? LK_PROCESS : 0);
  struct file_lock l = before(fd, fl->l_type, start, len, PL_ID_FCNTL, how, posix ? "fcntl" : "ofd", site);
  return after(&l, f(fd, cmd, arg), site);
}

MVR_EXPORT int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  return record_lock(REAL(fcntl), fd, cmd, arg, CALLER);
}

MVR_EXPORT int fcntl64(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  return record_lock(REAL(fcntl64), fd, cmd, arg, CALLER);
}

/* lockf: an exclusive POSIX record lock from the current offset, len bytes (0: to the end). */
static int lockf_call(int (*f)(int, int, off64_t), int fd, int cmd, off64_t len, void *site) {
  if (!pl.checking || cmd == F_TEST) return f(fd, cmd, len);
  struct flock fl = {.l_type = cmd == F_ULOCK ? F_UNLCK : F_WRLCK, .l_whence = SEEK_CUR, .l_start = 0, .l_len = len};
  uint64_t n, start = range_start(fd, &fl, &n);
  struct file_lock l = before(fd, fl.l_type, start, n, PL_ID_FCNTL, (cmd == F_LOCK ? LK_BLOCKS : 0) | LK_PROCESS, "fcntl", site);
  return after(&l, f(fd, cmd, len), site);
}

/* off_t and off64_t are both 64 bits on x86_64: one function serves both names. */
MVR_EXPORT int lockf(int fd, int cmd, off_t len) { return lockf_call((int (*)(int, int, off64_t))REAL(lockf), fd, cmd, len, CALLER); }
MVR_EXPORT int lockf64(int fd, int cmd, off64_t len) { return lockf_call(REAL(lockf64), fd, cmd, len, CALLER); }

MVR_EXPORT int flock(int fd, int op) {
  if (!pl.checking) return REAL(flock)(fd, op);
  short type = (op & LOCK_UN) ? F_UNLCK : (op & LOCK_SH) ? F_RDLCK : F_WRLCK;
  struct file_lock l = before(fd, type, 0, 0, PL_ID_FLOCK, (op & LOCK_NB) ? 0 : LK_BLOCKS, "flock", CALLER);
  return after(&l, REAL(flock)(fd, op), CALLER);
}

MVR_EXPORT int close(int fd) {
  if (pl.checking && pl_ld_files_held()) {
    struct stat st;
    int err = errno;
    if (fstat(fd, &st) == 0) {
      pl_ld_drop_file(file_key(&st, PL_ID_FCNTL), 0, 0);
      pl_ld_drop_file(file_key(&st, PL_ID_FLOCK), 0, 0);
    }
    errno = err;
  }
  return REAL(close)(fd);
}
