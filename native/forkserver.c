/*
 * `mvar-worker serve`: a fork server for the native runtime.
 *
 * Starting 51 processes from Node costs tens of milliseconds (libuv forks a
 * large process and execs); forking a small C process costs tens of
 * microseconds. The orchestrator starts one server per run loop and asks it
 * for each iteration's processes. The server is also the only process that
 * reaps them, so it can kill an iteration's processes without any risk of the
 * pid having been reused: an unreaped child's pid stays ours.
 *
 * Protocol, one line per message.
 *   stdin   run TAG SEGMENT [SEED INTENSITY]
 *                                fork master + header.nslaves slaves of SEGMENT;
 *                                with SEED and INTENSITY, also a chaos child
 *                                perturbing their scheduling (chaos.c); a server
 *                                started with the preload library (LD_PRELOAD)
 *                                also has them jitter around their lock calls
 *                                (MVAR_REPRO_CHAOS, read by the library in each
 *                                fork child)
 *           chaos-stop TAG       end TAG's chaos: it continues everyone, then says
 *           kill TAG             SIGKILL every unreaped process of TAG
 *           quit                 (or EOF) kill everything, reap, exit
 *   stdout  ready PID
 *           started TAG PID0 PID1 ... PIDN   (master first, then slaves 1..N)
 *           error TAG MESSAGE
 *           exit TAG PID CODE SIGNAL         (CODE -1 when killed by SIGNAL)
 *           chaos TAG FREEZES CPU_MOVES RENICES   (once TAG's chaos has ended)
 */
#define _GNU_SOURCE
#include "forkserver.h"

#include "chaos.h"
#include "lines.h"
#include "protocol.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAG_MAX 48

struct child {
  pid_t pid;
  char tag[TAG_MAX];
  int chaos; /* the tag's chaos child: its end is a `chaos` line, not an `exit` */
};

static struct child *children;
static size_t nchildren, capchildren;
static pid_t server_pid;

static void track(pid_t pid, const char *tag, int chaos) {
  if (nchildren == capchildren) {
    capchildren = capchildren ? capchildren * 2 : 256;
    children = realloc(children, capchildren * sizeof *children);
    if (!children) _exit(1);
  }
  children[nchildren].pid = pid;
  snprintf(children[nchildren].tag, TAG_MAX, "%s", tag);
  children[nchildren].chaos = chaos;
  nchildren++;
}

static void kill_tag(const char *tag) {
  for (size_t i = 0; i < nchildren; i++)
    if (!tag || strcmp(children[i].tag, tag) == 0) kill(children[i].pid, SIGKILL);
}

static void reap(void) {
  for (;;) {
    int st;
    pid_t pid = waitpid(-1, &st, WNOHANG);
    if (pid <= 0) return;
    for (size_t i = 0; i < nchildren; i++) {
      if (children[i].pid != pid) continue;
      if (children[i].chaos) {
        /* it said what it did itself; killed before it could, it says nothing more */
      } else if (WIFEXITED(st))
        mvr_out_line("exit %s %d %d 0", children[i].tag, (int)pid, WEXITSTATUS(st));
      else
        mvr_out_line("exit %s %d -1 %d", children[i].tag, (int)pid, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
      children[i] = children[--nchildren];
      break;
    }
  }
}

static void child_main(struct mvr_seg *seg, uint32_t role, uint32_t id) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGCHLD, SIG_DFL);
  if (mvr_die_with_parent(server_pid) != 0) _exit(MVR_EXIT_PARENT);
  setpgid(0, 0); /* its own group, like a spawned worker */
  char comm[16];
  if (role == MVR_ROLE_MASTER)
    snprintf(comm, sizeof comm, "mvar-master");
  else
    snprintf(comm, sizeof comm, "mvar-slave-%u", id);
  prctl(PR_SET_NAME, comm);
  int devnull = open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    dup2(devnull, STDIN_FILENO);
    dup2(devnull, STDOUT_FILENO);
    if (devnull > STDERR_FILENO) close(devnull);
  }
  char err[256] = "";
  struct mvr_proc proc;
  if (mvr_register(seg, role, id, MVR_RUNTIME_NATIVE, &proc, err, sizeof err) != 0) {
    dprintf(STDERR_FILENO, "mvar-worker[%d]: %s\n", (int)getpid(), err);
    _exit(MVR_EXIT_SEGMENT);
  }
  int status = mvr_run_role(&proc, 0, err, sizeof err);
  mvr_finish(&proc, status, err);
  /* The client attributes stderr lines to children by this prefix. */
  if (status != MVR_EXIT_OK) dprintf(STDERR_FILENO, "mvar-worker[%d]: %s\n", (int)getpid(), err);
  _exit(status);
}

/* The preload library is in this server (started with LD_PRELOAD under --chaos), so its children jitter. */
static int jitter_loaded(void) { return dlsym(RTLD_DEFAULT, "mvar_preload_jitter") != NULL; }

/* The tag's chaos child: perturbs its processes until `chaos-stop`, then says what it did. */
static void start_chaos(const char *tag, const struct mvr_seg *seg, const pid_t *pids, uint32_t n, uint64_t seed, uint32_t intensity) {
  pid_t c = fork();
  if (c < 0) {
    mvr_out_line("error %s chaos: fork: %s", tag, strerror(errno));
    return;
  }
  if (c == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGCHLD, SIG_DFL);
    if (mvr_die_with_parent(server_pid) != 0) _exit(MVR_EXIT_PARENT);
    prctl(PR_SET_NAME, "mvar-chaos");
    struct mvr_chaos_counts k;
    mvr_chaos_loop(pids, (int)n, 0, seed, intensity, seg, jitter_loaded(), &k);
    mvr_out_line("chaos %s %llu %llu %llu", tag, (unsigned long long)k.freezes, (unsigned long long)k.cpu_moves, (unsigned long long)k.renices);
    _exit(0);
  }
  track(c, tag, 1);
}

static void stop_chaos(const char *tag) {
  for (size_t i = 0; i < nchildren; i++)
    if (children[i].chaos && strcmp(children[i].tag, tag) == 0) kill(children[i].pid, SIGTERM);
}

static void do_run(const char *tag, const char *segname, const char *seed, const char *intensity) {
  char err[256] = "";
  struct mvr_seg seg;
  if (mvr_segment_open(segname, &seg, err, sizeof err) != 0) {
    mvr_out_line("error %s %s", tag, err);
    return;
  }
  uint32_t n = seg.nslaves;
  size_t cap = 32 + (size_t)(n + 1) * 12;
  char *line = malloc(cap);
  if (!line) _exit(1);
  size_t len = (size_t)snprintf(line, cap, "started %s", tag);
  pid_t *pids = calloc((size_t)n + 1, sizeof *pids);
  if (!pids) _exit(1);
  /* The server is single-threaded: setenv cannot race a getenv. */
  if (seed && intensity) {
    char v[64];
    snprintf(v, sizeof v, "%s:%s", seed, intensity);
    setenv("MVAR_REPRO_CHAOS", v, 1);
  } else
    unsetenv("MVAR_REPRO_CHAOS");
  for (uint32_t i = 0; i <= n; i++) {
    uint32_t role = i == 0 ? MVR_ROLE_MASTER : MVR_ROLE_SLAVE;
    pid_t pid = fork();
    if (pid == 0) child_main(&seg, role, i);
    if (pid < 0) {
      int e = errno;
      kill_tag(tag);
      mvr_out_line("error %s fork: %s", tag, strerror(e));
      free(line);
      free(pids);
      mvr_segment_close(&seg);
      return;
    }
    track(pid, tag, 0);
    pids[i] = pid;
    len += (size_t)snprintf(line + len, cap - len, " %d", (int)pid);
  }
  line[len++] = '\n';
  mvr_out_write(line, len);
  free(line);
  /* The chaos child inherits the mapping too: it watches the rings. */
  if (seed && intensity) start_chaos(tag, &seg, pids, n + 1, strtoull(seed, NULL, 10), (uint32_t)strtoul(intensity, NULL, 10));
  free(pids);
  /* Children inherited the mapping; the server needs it no longer. */
  mvr_segment_close(&seg);
}

static void shutdown_all(void) {
  kill_tag(NULL);
  while (nchildren > 0) {
    int st;
    pid_t pid = waitpid(-1, &st, 0);
    if (pid < 0 && errno != EINTR) break;
    for (size_t i = 0; i < nchildren; i++)
      if (children[i].pid == pid) {
        children[i] = children[--nchildren];
        break;
      }
  }
}

/* Handles one command line; returns 0 when the server should stop. */
static int handle(char *line) {
  char *save = NULL;
  char *cmd = strtok_r(line, " ", &save);
  if (!cmd) return 1;
  char *tag = strtok_r(NULL, " ", &save);
  if (strcmp(cmd, "quit") == 0) return 0;
  if (!tag || strlen(tag) >= TAG_MAX) {
    mvr_out_line("error - bad command");
    return 1;
  }
  if (strcmp(cmd, "run") == 0) {
    char *seg = strtok_r(NULL, " ", &save);
    char *seed = strtok_r(NULL, " ", &save);
    char *intensity = seed ? strtok_r(NULL, " ", &save) : NULL;
    if (!seg)
      mvr_out_line("error %s run needs a segment name", tag);
    else
      do_run(tag, seg, seed, intensity);
  } else if (strcmp(cmd, "chaos-stop") == 0) {
    stop_chaos(tag);
  } else if (strcmp(cmd, "kill") == 0) {
    kill_tag(tag);
  } else {
    mvr_out_line("error %s unknown command %s", tag, cmd);
  }
  return 1;
}

int mvr_serve(int parent_pid) {
  server_pid = getpid();
  if (parent_pid && mvr_die_with_parent(parent_pid) != 0) return MVR_EXIT_PARENT;
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    dprintf(STDERR_FILENO, "mvar-worker: signalfd: %s\n", strerror(errno));
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  mvr_out_line("ready %d", (int)server_pid);

  char buf[8192];
  size_t have = 0;
  int running = 1;
  while (running) {
    struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sfd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
      }
      reap();
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(STDIN_FILENO, buf + have, sizeof buf - 1 - have);
      if (r <= 0) {
        if (r < 0 && errno == EINTR) continue;
        break; /* EOF: the orchestrator is gone or done */
      }
      have += (size_t)r;
      char *start = buf;
      char *nl;
      while (running && (nl = memchr(start, '\n', have - (size_t)(start - buf)))) {
        *nl = '\0';
        running = handle(start);
        start = nl + 1;
      }
      have -= (size_t)(start - buf);
      memmove(buf, start, have);
      if (have == sizeof buf - 1) have = 0; /* an absurdly long line: drop it */
    }
  }
  shutdown_all();
  return 0;
}
