/*
 * `mvar-worker commands [--parent PID]`: the command server of
 * `soak -- COMMAND` and `check`.
 *
 * Starting a process from Node costs about 5 ms (libuv forks a large process
 * and execs); forking this small C process costs tens of microseconds. The
 * CLI starts one server per soak and asks it for every iteration's command.
 * For each, the server forks a shim (command_shim.c) that runs the command
 * in its own process group as a child subreaper, so that the whole tree of
 * the command is the shim's to kill and reap. The server reaps the shims
 * through pidfds (poll, then waitid(P_PIDFD)), reads each command's stdout
 * and stderr into a bounded tail, and reports the exit with both tails.
 *
 * A command that ends within STARTED_AFTER_MS is said in one write (`started`
 * and `exit` together), so a fast command wakes the CLI once, not twice.
 *
 * Nothing outlives the CLI: the server watches the CLI through a pidfd, its
 * stdin and PR_SET_PDEATHSIG(SIGTERM); whichever says first that the CLI is
 * gone, the server asks every shim to end its tree, reaps them and exits.
 * Every descriptor it opens is close-on-exec, so a command gets its three
 * standard streams and nothing of the server's.
 *
 * Protocol, one line per message; every token of `spawn` is percent-encoded
 * (%XX for bytes up to space, '%' and DEL), so arguments may hold anything.
 *   stdin   spawn TAG ARGC ARG... [NAME=VALUE...]
 *                            run ARG... with NAME=VALUE added to its environment
 *           kill TAG         end TAG's whole tree (its `exit` follows)
 *           quit             (or EOF) end every tree, reap, exit
 *   stdout  ready PID
 *           started TAG SHIM PID           once the command has run STARTED_AFTER_MS,
 *                                          or together with its exit (one read)
 *           exit TAG CODE SIGNAL OUT ERR   CODE -1 when killed by SIGNAL; OUT and
 *                                          ERR the tails, base64, '-' when empty
 *           error TAG MESSAGE              the request could not be served
 */
#define _GNU_SOURCE
#include "commands.h"

#include "command_text.h"
#include "lines.h"
#include "protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* Requests are short; arguments can be long. A longer line is refused, never cut. */
#define LINE_MAX_BYTES (1024 * 1024)
/* At shutdown, how long shims get to end their trees before the server leaves (they keep at it on their own). */
#define SHUTDOWN_WAIT_MS 5000
/* A command still running this long is said started on its own line; one that ended sooner, with its exit.
 * 5 ms: far below the 50 ms after which the CLI first looks at a tree, and longer than /bin/true lives. */
#define STARTED_AFTER_MS 5
/* What the server polls per command: its shim's pidfd, stdout and stderr. The pipe its pid comes on is
 * read when due (STARTED_AFTER_MS, or at the exit), never polled: it costs the server no wake-up of its own. */
#define FDS_PER_JOB 3

struct job {
  char tag[MVR_CMD_TAG_MAX];
  pid_t shim;
  pid_t cmd;        /* 0 until read from ctl */
  int ctl;          /* read end of the shim's pipe for the command's pid; -1 once read */
  long announce_at; /* when to say `started` if it still runs (ms, CLOCK_MONOTONIC) */
  int announced;    /* `started` was said */
  int pidfd; /* -1 on kernels without pidfd_open (< 5.3): SIGCHLD and waitpid instead */
  int fd[2]; /* read ends of stdout, stderr; -1 once at EOF */
  struct mvr_tail tail[2];
};

static struct job **jobs;
static size_t njobs, capjobs;
/* Opened once: every command's stdin. */
static int devnull = -1;
/* The `exit` line: `started` and `exit` with both tails in base64 (single-threaded: one buffer serves every command). */
static char exit_line[256 + 2 * (MVR_TAIL_MAX / 3 + 1) * 4];

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int pidfd_open_(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

static void signal_shim(const struct job *j, int sig) {
  if (j->pidfd < 0 || syscall(SYS_pidfd_send_signal, j->pidfd, sig, NULL, 0) != 0) kill(j->shim, sig);
}

/* Reads what the pipe holds now; closes it at EOF. */
static void drain(struct job *j, int k) {
  char buf[65536];
  while (j->fd[k] >= 0) {
    ssize_t r = read(j->fd[k], buf, sizeof buf);
    if (r > 0) {
      mvr_tail_add(&j->tail[k], buf, (size_t)r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) return;
    close(j->fd[k]);
    j->fd[k] = -1;
  }
}

/* ---- jobs ---- */

static struct job *find(const char *tag) {
  for (size_t i = 0; i < njobs; i++)
    if (strcmp(jobs[i]->tag, tag) == 0) return jobs[i];
  return NULL;
}

static void forget(struct job *j) {
  for (size_t i = 0; i < njobs; i++)
    if (jobs[i] == j) {
      jobs[i] = jobs[--njobs];
      break;
    }
  for (int k = 0; k < 2; k++)
    if (j->fd[k] >= 0) close(j->fd[k]);
  if (j->pidfd >= 0) close(j->pidfd);
  if (j->ctl >= 0) close(j->ctl);
  free(j);
}

/* The command's pid, once the shim has written it (4 bytes, one write). */
static void read_ctl(struct job *j) {
  if (j->ctl < 0) return;
  pid_t pid;
  ssize_t r = read(j->ctl, &pid, sizeof pid);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r == (ssize_t)sizeof pid) j->cmd = pid;
  close(j->ctl); /* the pid, or EOF: a shim that could not fork says so in its stderr and exit */
  j->ctl = -1;
}

static void announce(struct job *j) {
  mvr_out_line("started %s %d %d", j->tag, (int)j->shim, (int)j->cmd);
  j->announced = 1;
}

/* The shim is reaped: the whole tree is gone, so the pipes hold all there is. */
static void finished(struct job *j, int code, int sig) {
  read_ctl(j);
  drain(j, 0);
  drain(j, 1);
  char *line = exit_line;
  size_t n = 0;
  if (j->cmd && !j->announced) n = (size_t)snprintf(line, 128, "started %s %d %d\n", j->tag, (int)j->shim, (int)j->cmd);
  n += (size_t)snprintf(line + n, 128, "exit %s %d %d ", j->tag, code, sig);
  for (int k = 0; k < 2; k++) {
    if (j->tail[k].len)
      n += mvr_base64(j->tail[k].buf, j->tail[k].len, line + n);
    else
      line[n++] = '-';
    line[n++] = k ? '\n' : ' ';
  }
  mvr_out_write(line, n);
  forget(j);
}

/* Reaps the shim if it has exited; returns 1 when it was. */
static int reap(struct job *j) {
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int rc = j->pidfd >= 0 ? waitid((idtype_t)P_PIDFD, (id_t)j->pidfd, &si, WEXITED | WNOHANG)
                         : waitid(P_PID, (id_t)j->shim, &si, WEXITED | WNOHANG);
  if (rc != 0 || si.si_pid == 0) return 0;
  if (si.si_code == CLD_EXITED)
    finished(j, si.si_status, 0);
  else
    finished(j, -1, si.si_status);
  return 1;
}

/* ---- requests ---- */

static void spawn(const char *tag, char **tok, int ntok) {
  char *end;
  long argc = ntok > 0 ? strtol(tok[0], &end, 10) : 0;
  if (ntok < 1 || *end || argc < 1 || argc > ntok - 1) {
    mvr_out_line("error %s spawn needs ARGC and ARGC arguments", tag);
    return;
  }
  if (find(tag)) {
    mvr_out_line("error %s tag in use", tag);
    return;
  }
  for (int i = 1; i < ntok; i++)
    if (mvr_percent_decode(tok[i]) != 0) {
      mvr_out_line("error %s bad escape in token %d", tag, i);
      return;
    }
  char **argv = calloc((size_t)argc + 1, sizeof *argv);
  char **env = calloc((size_t)(ntok - argc) + 1, sizeof *env);
  struct job *j = calloc(1, sizeof *j);
  if (!argv || !env || !j) _exit(1);
  for (long i = 0; i < argc; i++) argv[i] = tok[1 + i];
  for (int i = 1 + (int)argc, k = 0; i < ntok; i++) env[k++] = tok[i];
  /* stdout, stderr, and the pipe the shim says the command's pid on: read ends [k][0] are the server's. */
  int p[3][2];
  int made = 0;
  while (made < 3 && pipe2(p[made], O_CLOEXEC) == 0) made++;
  if (made < 3) {
    mvr_out_line("error %s pipe: %s", tag, strerror(errno));
    for (int k = 0; k < made; k++) close(p[k][0]), close(p[k][1]);
    free(argv), free(env), free(j);
    return;
  }
  struct mvr_cmd_spec spec = {.argv = argv, .env = env, .out_w = p[0][1], .err_w = p[1][1], .ctl_w = p[2][1], .devnull = devnull};
  snprintf(spec.tag, sizeof spec.tag, "%s", tag);
  pid_t server = getpid();
  pid_t shim = fork();
  if (shim == 0) mvr_shim_main(&spec, server);
  int e = errno;
  for (int k = 0; k < 3; k++) close(p[k][1]);
  free(argv);
  free(env);
  if (shim < 0) {
    for (int k = 0; k < 3; k++) close(p[k][0]);
    free(j);
    mvr_out_line("error %s fork: %s", tag, strerror(e));
    return;
  }
  snprintf(j->tag, sizeof j->tag, "%s", tag);
  j->shim = shim;
  j->pidfd = pidfd_open_(shim); /* O_CLOEXEC by definition */
  for (int k = 0; k < 3; k++) fcntl(p[k][0], F_SETFL, O_NONBLOCK);
  j->fd[0] = p[0][0];
  j->fd[1] = p[1][0];
  j->ctl = p[2][0];
  j->announce_at = now_ms() + STARTED_AFTER_MS;
  if (njobs == capjobs) {
    capjobs = capjobs ? capjobs * 2 : 16;
    jobs = realloc(jobs, capjobs * sizeof *jobs);
    if (!jobs) _exit(1);
  }
  jobs[njobs++] = j;
}

/* Handles one request line; returns 0 when the server should stop. */
static int handle(char *line) {
  char *tok[4096];
  int ntok = 0;
  char *save = NULL;
  for (char *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
    if (ntok == (int)(sizeof tok / sizeof tok[0])) {
      mvr_out_line("error - too many tokens");
      return 1;
    }
    tok[ntok++] = t;
  }
  if (ntok == 0) return 1;
  if (strcmp(tok[0], "quit") == 0) return 0;
  if (ntok < 2 || strlen(tok[1]) >= MVR_CMD_TAG_MAX) {
    mvr_out_line("error - bad request");
    return 1;
  }
  if (strcmp(tok[0], "spawn") == 0) {
    spawn(tok[1], tok + 2, ntok - 2);
  } else if (strcmp(tok[0], "kill") == 0) {
    struct job *j = find(tok[1]);
    if (j) signal_shim(j, SIGTERM);
  } else {
    mvr_out_line("error %s unknown request %s", tok[1], tok[0]);
  }
  return 1;
}

/* poll's timeout: until the next command is due to be said started, or none (-1). */
static int next_announcement(void) {
  long now = now_ms(), wait = -1;
  for (size_t i = 0; i < njobs; i++) {
    if (jobs[i]->announced) continue;
    long left = jobs[i]->announce_at - now;
    if (left < 0) left = 0;
    if (wait < 0 || left < wait) wait = left;
  }
  return (int)wait;
}

/* ---- shutdown ---- */

/* Every shim ends its tree and is reaped; a shim that cannot within SHUTDOWN_WAIT_MS keeps at it alone. */
static void shutdown_all(void) {
  for (size_t i = 0; i < njobs; i++) signal_shim(jobs[i], SIGTERM);
  long deadline = now_ms() + SHUTDOWN_WAIT_MS;
  while (njobs > 0 && now_ms() < deadline) {
    for (size_t i = 0; i < njobs;)
      if (!reap(jobs[i])) i++;
    if (njobs) usleep(1000);
  }
}

int mvr_commands_serve(int parent_pid) {
  mvr_shim_note_signals();
  devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, SIG_IGN); /* the CLI decides what Ctrl-C ends */
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    dprintf(STDERR_FILENO, "mvar-worker: signalfd: %s\n", strerror(errno));
    return 1;
  }
  /* The CLI's death: a catchable signal (not SIGKILL), so the trees are ended first. */
  if (parent_pid && (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent_pid)) return MVR_EXIT_PARENT;
  int parent_fd = parent_pid ? pidfd_open_(parent_pid) : -1;
  mvr_out_line("ready %d", (int)getpid());

  size_t cap = 65536, have = 0;
  char *buf = malloc(cap);
  if (!buf) return 1;
  int running = 1;
  struct pollfd *fds = NULL;
  size_t capfds = 0;
  while (running) {
    size_t want = 3 + FDS_PER_JOB * njobs;
    if (want > capfds) {
      capfds = want * 2;
      fds = realloc(fds, capfds * sizeof *fds);
      if (!fds) return 1;
    }
    size_t nf = 0;
    fds[nf++] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
    fds[nf++] = (struct pollfd){sfd, POLLIN, 0};
    fds[nf++] = (struct pollfd){parent_fd, POLLIN, 0}; /* fd -1 is ignored by poll */
    size_t first_job = nf;
    for (size_t i = 0; i < njobs; i++) {
      fds[nf++] = (struct pollfd){jobs[i]->pidfd, POLLIN, 0};
      fds[nf++] = (struct pollfd){jobs[i]->fd[0], POLLIN, 0};
      fds[nf++] = (struct pollfd){jobs[i]->fd[1], POLLIN, 0};
    }
    size_t polled = njobs;
    if (poll(fds, nf, next_announcement()) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents) break; /* the CLI is gone */
    int sigchld = 0;
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD)
          sigchld = 1;
        else
          running = 0; /* SIGTERM (the CLI died, or someone asks), SIGHUP */
      }
    }
    /* Output first, then exits: a tree's last words are read before its exit is said. */
    struct job **snap = malloc((polled ? polled : 1) * sizeof *snap);
    if (!snap) return 1;
    memcpy(snap, jobs, polled * sizeof *snap);
    for (size_t i = 0; i < polled; i++) {
      struct pollfd *p = &fds[first_job + FDS_PER_JOB * i];
      for (int k = 0; k < 2; k++)
        if (p[1 + k].revents) drain(snap[i], k);
    }
    for (size_t i = 0; i < polled; i++) {
      struct pollfd *p = &fds[first_job + FDS_PER_JOB * i];
      if ((p[0].revents & POLLIN) || (snap[i]->pidfd < 0 && sigchld)) reap(snap[i]);
    }
    free(snap);
    /* Commands still running STARTED_AFTER_MS after their spawn: said started now (their pid is in ctl by then). */
    long now = now_ms();
    for (size_t i = 0; i < njobs; i++) {
      struct job *j = jobs[i];
      if (j->announced || now < j->announce_at) continue;
      read_ctl(j);
      if (j->cmd) announce(j);
      else if (j->ctl >= 0) j->announce_at = now + 1; /* the shim has not forked yet: look again soon */
      else j->announced = 1; /* no command will come: its exit says why */
    }
    if (running && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      if (have == cap) {
        if (cap >= LINE_MAX_BYTES) {
          mvr_out_line("error - request longer than %d bytes", LINE_MAX_BYTES);
          have = 0;
        } else {
          cap *= 2;
          buf = realloc(buf, cap);
          if (!buf) return 1;
        }
      }
      ssize_t r = read(STDIN_FILENO, buf + have, cap - have);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break; /* EOF: the CLI is done or gone */
      have += (size_t)r;
      size_t start = 0;
      char *nl;
      while (running && (nl = memchr(buf + start, '\n', have - start))) {
        *nl = '\0';
        running = handle(buf + start);
        start = (size_t)(nl - buf) + 1;
      }
      memmove(buf, buf + start, have - start);
      have -= start;
    }
  }
  shutdown_all();
  return 0;
}
