/*
 * mvar-worker: one process of the protocol, native runtime.
 *
 *   mvar-worker --segment NAME --role master|slave|producer|consumer
 *               [--id N] [--count N] [--parent PID]
 *
 *   mvar-worker serve [--parent PID]     the fork server (forkserver.c)
 *   mvar-worker exec [--parent PID] -- CMD [ARGS...]
 *                                        run CMD so that it dies with PID
 *                                        and its whole tree is reaped
 *                                        (soak's generic mode; its pid on fd 3)
 *   mvar-worker chaos --seed S --intensity I (--pids P,... | --tree ROOT) [--parent PID]
 *                                        perturb their scheduling (chaos.c)
 *
 * Exits 0 on success, otherwise an enum mvr_exit with one line on stderr.
 */
#define _GNU_SOURCE
#include "chaos.h"
#include "forkserver.h"
#include "protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_u32(const char *s, uint32_t *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || *s == '-' || v > UINT32_MAX) return -1;
  *out = (uint32_t)v;
  return 0;
}

static int role_of(const char *s) {
  if (!strcmp(s, "master")) return MVR_ROLE_MASTER;
  if (!strcmp(s, "slave")) return MVR_ROLE_SLAVE;
  if (!strcmp(s, "producer")) return MVR_ROLE_PRODUCER;
  if (!strcmp(s, "consumer")) return MVR_ROLE_CONSUMER;
  return -1;
}

static int usage(const char *msg) {
  fprintf(stderr, "mvar-worker: %s (usage: mvar-worker --segment NAME --role master|slave|producer|consumer "
                  "[--id N] [--count N] [--parent PID])\n", msg);
  return MVR_EXIT_USAGE;
}

/*
 * `exec`: runs a soaked command so that nothing of it outlives the run.
 *
 * The shim stays the parent: it becomes a child subreaper (orphans of the
 * command's tree are reparented to it, not to init), forks the command into
 * a process group of its own, tells the orchestrator the command's pid on
 * fd 3, and reaps every process of the tree before it exits — with the
 * command's own status (re-raising its signal). The orchestrator kills the
 * command's group, never the shim, and waits for the shim: once it has
 * exited, no zombie of the iteration is left. PR_SET_PDEATHSIG survives
 * execve (it is only cleared for set-user-ID and similar binaries), so the
 * command dies with the shim and the shim with the orchestrator.
 */
static int exec_command(int argc, char **argv) {
  int i = 2;
  uint32_t parent = 0;
  if (i + 1 < argc && strcmp(argv[i], "--parent") == 0) {
    if (parse_u32(argv[i + 1], &parent) || parent > INT_MAX) return usage("--parent takes a pid");
    i += 2;
  }
  if (i < argc && strcmp(argv[i], "--") == 0) i++;
  if (i >= argc) return usage("exec needs a command");
  if (parent && mvr_die_with_parent((int)parent) != 0) {
    fprintf(stderr, "mvar-worker: parent %u is gone before start\n", parent);
    return MVR_EXIT_PARENT;
  }
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int report = fcntl(3, F_GETFD) >= 0 ? 3 : -1; /* where the command's pid goes, if the caller gave fd 3 */
  pid_t shim = getpid();
  pid_t cmd = fork();
  if (cmd < 0) {
    fprintf(stderr, "mvar-worker: fork: %s\n", strerror(errno));
    return 127;
  }
  if (cmd == 0) {
    setpgid(0, 0);
    if (mvr_die_with_parent((int)shim) != 0) _exit(MVR_EXIT_PARENT);
    if (report >= 0) close(report);
    /* `check`: the preload library goes into the command only, never into this shim. */
    const char *lib = getenv("MVAR_REPRO_PRELOAD");
    if (lib && *lib) {
      const char *old = getenv("LD_PRELOAD");
      char both[4096];
      snprintf(both, sizeof both, "%s%s%s", lib, old && *old ? " " : "", old && *old ? old : "");
      setenv("LD_PRELOAD", both, 1);
    }
    unsetenv("MVAR_REPRO_PRELOAD");
    execvp(argv[i], &argv[i]);
    fprintf(stderr, "mvar-worker: cannot run %s: %s\n", argv[i], strerror(errno));
    _exit(127);
  }
  setpgid(cmd, cmd); /* also here: no race with the orchestrator's kill of the group */
  if (report >= 0) {
    dprintf(report, "%d\n", (int)cmd);
    close(report);
  }
  int status = 0, code = 127;
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, 0);
    if (p < 0) {
      if (errno == EINTR) continue;
      break; /* ECHILD: the whole tree is reaped */
    }
    if (p == cmd) status = st;
  }
  if (WIFSIGNALED(status)) {
    signal(WTERMSIG(status), SIG_DFL);
    kill(getpid(), WTERMSIG(status));
    code = 128 + WTERMSIG(status);
  } else if (WIFEXITED(status)) {
    code = WEXITSTATUS(status);
  }
  return code;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "exec") == 0) return exec_command(argc, argv);
  if (argc > 1 && strcmp(argv[1], "chaos") == 0) return mvr_chaos_main(argc, argv);
  static const struct option opts[] = {
      {"segment", required_argument, 0, 's'}, {"role", required_argument, 0, 'r'},
      {"id", required_argument, 0, 'i'},      {"count", required_argument, 0, 'c'},
      {"parent", required_argument, 0, 'p'},  {0, 0, 0, 0},
  };
  int serve = argc > 1 && strcmp(argv[1], "serve") == 0;
  if (serve) {
    argv++;
    argc--;
  }
  const char *segment = NULL;
  int role = -1;
  uint32_t id = 0, count = 0, parent = 0;
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 's': segment = optarg; break;
    case 'r':
      if ((role = role_of(optarg)) < 0) return usage("unknown role");
      break;
    case 'i':
      if (parse_u32(optarg, &id)) return usage("--id takes a non-negative integer");
      break;
    case 'c':
      if (parse_u32(optarg, &count)) return usage("--count takes a non-negative integer");
      break;
    case 'p':
      if (parse_u32(optarg, &parent) || parent > INT_MAX) return usage("--parent takes a pid");
      break;
    default: return usage("unknown or incomplete option");
    }
  }
  if (optind != argc) return usage("unexpected argument");
  if (serve) return mvr_serve((int)parent);
  if (!segment || role < 0) return usage("--segment and --role are required");
  if (parent && mvr_die_with_parent((int)parent) != 0) {
    fprintf(stderr, "mvar-worker: parent %u is gone before start\n", parent);
    return MVR_EXIT_PARENT;
  }

  char err[256] = "";
  struct mvr_seg seg;
  int rc = mvr_segment_open(segment, &seg, err, sizeof err);
  if (rc) {
    fprintf(stderr, "mvar-worker: %s\n", err);
    return MVR_EXIT_SEGMENT;
  }
  struct mvr_proc proc;
  rc = mvr_register(&seg, (uint32_t)role, id, MVR_RUNTIME_NATIVE, &proc, err, sizeof err);
  if (rc) {
    fprintf(stderr, "mvar-worker: %s\n", err);
    return MVR_EXIT_SEGMENT;
  }
  int status = mvr_run_role(&proc, count, err, sizeof err);
  mvr_finish(&proc, status, err);
  if (status != MVR_EXIT_OK) fprintf(stderr, "mvar-worker: %s\n", err);
  mvr_segment_close(&seg);
  return status;
}
