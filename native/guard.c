/*
 * `mvar-worker guard --parent PID --dir DIR --name NAME`: removes the
 * temporary files the CLI was writing NAME through, if the CLI dies
 * (even by SIGKILL) in the middle of a write.
 *
 * A file the CLI rewrites while it runs (the JUnit XML of a soak, every
 * second) goes through a temporary file beside it that is renamed over it;
 * killed between the two, the CLI would leave that temporary file behind.
 * The guard outlives the CLI by a moment: it notes what is in DIR when it
 * starts, and when the CLI is gone (a pidfd on it, EOF on stdin, or
 * PR_SET_PDEATHSIG) it unlinks every regular file of this user in DIR whose
 * name holds NAME and ".tmp", that was not there at its start and is not
 * NAME itself. A `quit` line (the CLI closed the file itself) ends it
 * without touching anything.
 */
#define _GNU_SOURCE
#include "guard.h"

#include "protocol.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Entries noted at the start: a folder the guard watches holds a few files, not millions. */
#define MAX_NOTED 4096

static char *noted[MAX_NOTED];
static size_t nnoted;

static int is_temporary_of(const char *entry, const char *name) {
  return strcmp(entry, name) != 0 && strstr(entry, name) != NULL && strstr(entry, ".tmp") != NULL;
}

static void note(int dirfd, const char *name) {
  DIR *d = fdopendir(dup(dirfd));
  if (!d) return;
  rewinddir(d); /* the duplicate shares its offset with every other read of dirfd */
  struct dirent *e;
  while ((e = readdir(d)) && nnoted < MAX_NOTED)
    if (is_temporary_of(e->d_name, name)) noted[nnoted++] = strdup(e->d_name);
  closedir(d);
}

static int was_noted(const char *entry) {
  for (size_t i = 0; i < nnoted; i++)
    if (noted[i] && strcmp(noted[i], entry) == 0) return 1;
  return 0;
}

/* unlinkat never follows a link: at worst an entry someone swapped in is removed, in a folder they could change anyway. */
static void sweep(int dirfd, const char *name) {
  DIR *d = fdopendir(dup(dirfd));
  if (!d) return;
  rewinddir(d);
  struct dirent *e;
  uid_t me = geteuid();
  while ((e = readdir(d))) {
    if (!is_temporary_of(e->d_name, name) || was_noted(e->d_name)) continue;
    struct stat st;
    if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISREG(st.st_mode) && st.st_uid == me) unlinkat(dirfd, e->d_name, 0);
  }
  closedir(d);
}

int mvr_guard(int parent_pid, const char *dir, const char *name) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGINT, SIG_IGN); /* the CLI decides what Ctrl-C ends */
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0 || sfd < 0 || strchr(name, '/')) {
    dprintf(STDERR_FILENO, "mvar-worker: guard: cannot watch %s/%s: %s\n", dir, name, strerror(errno));
    return MVR_EXIT_USAGE;
  }
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent_pid) return MVR_EXIT_PARENT;
  int parent_fd = (int)syscall(SYS_pidfd_open, parent_pid, 0);
  note(dirfd, name);
  dprintf(STDOUT_FILENO, "ready\n");
  char buf[256];
  size_t have = 0;
  for (;;) {
    struct pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0}, {sfd, POLLIN, 0}, {parent_fd, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents || fds[2].revents) break; /* SIGTERM (the CLI died) or the CLI's pidfd */
    if (fds[0].revents) {
      ssize_t r = read(STDIN_FILENO, buf + have, sizeof buf - 1 - have);
      if (r <= 0) break; /* EOF: the CLI is gone without saying quit */
      have += (size_t)r;
      buf[have] = '\0';
      if (strstr(buf, "quit\n")) return 0;
      if (have == sizeof buf - 1) have = 0;
    }
  }
  sweep(dirfd, name);
  return 0;
}
