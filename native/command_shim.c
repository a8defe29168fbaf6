/*
 * The shim of one soaked command: forked by the command server (commands.c)
 * for every iteration, it runs the command so that nothing of it outlives
 * the iteration, the server or the CLI.
 *
 * The shim is a child subreaper: every orphan of the command's tree is
 * reparented to it, not to init, so "the tree" is exactly the shim's
 * descendants and the shim can reap all of them. It forks the command into a
 * process group of its own (Ctrl-C at the terminal does not reach it; the
 * CLI decides), tells the server the command's pid on a pipe of their own
 * (the server says it to the CLI), reaps every process of the tree and exits
 * with the command's own status, re-raising its signal (with core dumps off,
 * so the shim never dumps).
 *
 * SIGTERM asks the shim to end the tree: it SIGKILLs the command's group and
 * every child it has, again as orphans are reparented to it, until it has no
 * child left. The server sends it for `kill TAG`, at shutdown and when the
 * CLI dies; PR_SET_PDEATHSIG sends it when the server dies. The command
 * itself dies with the shim (PR_SET_PDEATHSIG(SIGKILL), which survives
 * execve except for set-user-ID programs), so a SIGKILL of the shim still
 * takes the command; its descendants are then the server's to find.
 */
#define _GNU_SOURCE
#include "commands.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* While ending the tree: how often the shim looks again for orphans, should a
 * reparenting come with no SIGCHLD of its own (10 ms: a soak's deadline is
 * far coarser; the CPU cost is one small /proc read per look). */
#define KILL_RESCAN_NS (10 * 1000 * 1000)

/* Signals ignored when the server started (its parent's doing), noted once by mvr_shim_note_signals. */
static unsigned char ignored_at_start[NSIG];

void mvr_shim_note_signals(void) {
  for (int s = 1; s < NSIG; s++) {
    struct sigaction sa;
    if (s != SIGKILL && s != SIGSTOP && sigaction(s, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) ignored_at_start[s] = 1;
  }
}

/* In the command's child, before exec: nothing of the server's signal state
 * may reach the program. Handlers go at execve by themselves; what survives
 * is an ignored signal (the server's SIGPIPE and SIGINT, the shim's SIGPIPE,
 * and any its own parent ignored) and the blocked mask. One call per such
 * signal, not one per signal: this runs once per iteration. */
static void reset_signals(void) {
  signal(SIGPIPE, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  for (int s = 1; s < NSIG; s++)
    if (ignored_at_start[s]) signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The preload library of --trace/--check/--chaos goes into the command only,
 * never into the shim or the server: MVAR_REPRO_PRELOAD names it, and it is
 * put in front of any LD_PRELOAD the program already had. */
static void apply_preload(void) {
  const char *lib = getenv("MVAR_REPRO_PRELOAD");
  if (lib && *lib) {
    const char *old = getenv("LD_PRELOAD");
    char both[4096];
    snprintf(both, sizeof both, "%s%s%s", lib, old && *old ? " " : "", old && *old ? old : "");
    setenv("LD_PRELOAD", both, 1);
  }
  unsetenv("MVAR_REPRO_PRELOAD");
}

static void __attribute__((noreturn)) exec_command(const struct mvr_cmd_spec *spec, pid_t shim) {
  reset_signals();
  setpgid(0, 0);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != shim) _exit(127);
  if (spec->devnull >= 0) dup2(spec->devnull, STDIN_FILENO);
  dup2(spec->out_w, STDOUT_FILENO);
  dup2(spec->err_w, STDERR_FILENO);
  for (char **e = spec->env; *e; e++) {
    char *eq = strchr(*e, '=');
    if (!eq) continue;
    *eq = '\0';
    setenv(*e, eq + 1, 1);
    *eq = '=';
  }
  apply_preload();
  execvp(spec->argv[0], spec->argv);
  dprintf(STDERR_FILENO, "mvar-worker: cannot run %s: %s\n", spec->argv[0], strerror(errno));
  _exit(127);
}

/* SIGKILLs the command's group and every child of the shim (its own command,
 * and orphans reparented to it). Each is unreaped, and only the shim reaps
 * them, so none of these pids can have been reused. */
static void kill_tree(pid_t cmd) {
  kill(-cmd, SIGKILL);
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    kill(cmd, SIGKILL);
    return;
  }
  char buf[8192];
  ssize_t n;
  char rest[16] = "";
  size_t have = 0;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] >= '0' && buf[i] <= '9') {
        if (have < sizeof rest - 1) rest[have++] = buf[i];
      } else if (have) {
        rest[have] = '\0';
        kill((pid_t)atoi(rest), SIGKILL);
        have = 0;
      }
    }
  }
  if (have) {
    rest[have] = '\0';
    kill((pid_t)atoi(rest), SIGKILL);
  }
  close(fd);
}

/* Reaps the whole tree; on SIGTERM, ends it first. Returns the command's wait status. */
static int wait_tree(pid_t cmd) {
  sigset_t wanted;
  sigemptyset(&wanted);
  sigaddset(&wanted, SIGCHLD);
  sigaddset(&wanted, SIGTERM);
  int status = 0;
  int killing = 0;
  for (;;) {
    for (;;) {
      int st;
      pid_t p = waitpid(-1, &st, WNOHANG);
      if (p > 0) {
        if (p == cmd) status = st;
        continue;
      }
      if (p < 0 && errno == EINTR) continue;
      if (p < 0) return status; /* ECHILD: every process of the tree is reaped */
      break;
    }
    if (killing) kill_tree(cmd);
    siginfo_t si;
    int s;
    if (killing) {
      struct timespec t = {0, KILL_RESCAN_NS};
      s = sigtimedwait(&wanted, &si, &t);
    } else {
      s = sigwaitinfo(&wanted, &si);
    }
    if (s == SIGTERM) killing = 1;
  }
}

void mvr_shim_main(const struct mvr_cmd_spec *spec, pid_t server) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigprocmask(SIG_SETMASK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != server) _exit(127);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  prctl(PR_SET_NAME, "mvar-shim");
  pid_t shim = getpid();
  pid_t cmd = fork();
  if (cmd == 0) exec_command(spec, shim);
  if (cmd < 0) {
    dprintf(spec->err_w, "mvar-worker: fork: %s\n", strerror(errno));
    _exit(127);
  }
  setpgid(cmd, cmd); /* also here: the group exists before anyone signals it */
  close(spec->out_w);
  close(spec->err_w);
  /* Four bytes, below PIPE_BUF: one write; a server gone means a dead pipe, and its SIGTERM follows. */
  if (write(spec->ctl_w, &cmd, sizeof cmd) != (ssize_t)sizeof cmd) kill_tree(cmd);
  close(spec->ctl_w);
  int status = wait_tree(cmd);
  if (WIFSIGNALED(status)) {
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    int sig = WTERMSIG(status);
    signal(sig, SIG_DFL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    sigprocmask(SIG_UNBLOCK, &only, NULL);
    raise(sig);
    _exit(128 + sig);
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
}
