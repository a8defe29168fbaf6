/*
 * The sweep of one leftover segment (mvr_segment_sweep, declared in
 * segment.h): at the start of every run loop, for each /dev/shm entry named
 * like ours. Any user can put an entry there under our kind of name — a
 * FIFO (opening it for reading would block for ever), a device, a symlink to
 * somebody's file, another user's file — so nothing about the entry is
 * trusted before it is checked, and nothing the check does can block:
 *
 *   1. lstat through the directory: only a regular file of this user goes on
 *      (a FIFO, device, socket, symlink or directory is left, unopened);
 *   2. open O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_NOCTTY: if the entry was swapped
 *      since step 1, a FIFO opens without waiting and a symlink fails;
 *   3. fstat the descriptor: still a regular file of this user, and the very
 *      inode step 1 saw;
 *   4. a non-blocking exclusive flock (a live creator holds it), then the
 *      magic read at offset 0 (at most 8 bytes);
 *   5. unlink through the same directory descriptor, only if the name still
 *      names that inode.
 * In a sticky /dev/shm only the owner (or root) can rename an entry of this
 * user, so what step 5 removes is what steps 1–4 checked.
 */
#define _GNU_SOURCE
#include "segment.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where POSIX shared memory lives on Linux (glibc's shm_open opens names here). */
#define MVR_SHM_DIR "/dev/shm"

static const char *type_name(mode_t m) {
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISLNK(m)) return "a symbolic link";
  if (S_ISDIR(m)) return "a directory";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

/* 1, with the reason in err, when an entry with this stat may not be swept. */
static int refuse(const char *name, const struct stat *st, char *err, size_t errlen) {
  if (!S_ISREG(st->st_mode)) {
    snprintf(err, errlen, "%s: %s, not a shared memory object", name, type_name(st->st_mode));
    return 1;
  }
  if (st->st_uid != geteuid()) {
    snprintf(err, errlen, "%s: owned by uid %u, not by this user", name, (unsigned)st->st_uid);
    return 1;
  }
  return 0;
}

static int sys_error(int e, const char *what, const char *name, char *err, size_t errlen) {
  snprintf(err, errlen, "cannot %s %s: %s", what, name, strerror(e));
  switch (e) {
  case ENOENT: return MVR_E_NOENT;
  case EACCES:
  case EPERM: return MVR_E_PERM;
  default: return MVR_E_SYS;
  }
}

int mvr_segment_sweep(const char *dir, const char *in_name, char *err, size_t errlen) {
  char slashed[MVR_NAME_MAX];
  int rc = mvr_segment_name(in_name, slashed, sizeof slashed, err, errlen);
  if (rc) return rc;
  const char *name = slashed + 1;
  int dfd = open(dir ? dir : MVR_SHM_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return sys_error(errno, "open the folder of", name, err, errlen);
  struct stat seen, st;
  if (fstatat(dfd, name, &seen, AT_SYMLINK_NOFOLLOW) != 0) {
    rc = sys_error(errno, "stat", name, err, errlen);
    close(dfd);
    return rc;
  }
  if (refuse(name, &seen, err, errlen)) {
    close(dfd);
    return 0;
  }
  int fd = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    rc = sys_error(errno, "open", name, err, errlen);
    close(dfd);
    return rc;
  }
  uint64_t magic = 0;
  int kept = 1;
  if (fstat(fd, &st) != 0)
    snprintf(err, errlen, "%s: cannot stat: %s", name, strerror(errno));
  else if (refuse(name, &st, err, errlen))
    ;
  else if (st.st_dev != seen.st_dev || st.st_ino != seen.st_ino)
    snprintf(err, errlen, "%s: replaced while it was checked", name);
  else if (flock(fd, LOCK_EX | LOCK_NB) != 0)
    snprintf(err, errlen, "%s: its creator still holds its lock (a live run)", name);
  else if (pread(fd, &magic, sizeof magic, 0) != (ssize_t)sizeof magic || magic != MVR_MAGIC)
    snprintf(err, errlen, "%s: no mvar-repro header", name);
  else if (fstatat(dfd, name, &seen, AT_SYMLINK_NOFOLLOW) != 0 || seen.st_dev != st.st_dev || seen.st_ino != st.st_ino)
    snprintf(err, errlen, "%s: replaced while it was checked", name);
  else
    kept = 0;
  /* Unlinked while we hold the lock: no creator can take this name again (O_EXCL, random). */
  rc = kept ? 0 : 1;
  if (!kept && unlinkat(dfd, name, 0) != 0) rc = sys_error(errno, "unlink", name, err, errlen);
  close(fd);
  close(dfd);
  return rc;
}
