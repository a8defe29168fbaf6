/*
 * The command server of `soak -- COMMAND` and `check` (commands.c) and the
 * per-command shim it forks (command_shim.c).
 */
#ifndef MVR_COMMANDS_H
#define MVR_COMMANDS_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Tags name one command of the server; the client makes them short (i1, i2...). */
#define MVR_CMD_TAG_MAX 48

/* Serves `spawn`/`kill` requests on stdin until EOF, `quit`, or the death of parent_pid. */
int mvr_commands_serve(int parent_pid);

/* What the shim needs: the command (argv, NULL-terminated), the assignments
 * to add to its environment (NAME=VALUE, NULL-terminated), the write ends of
 * its stdout and stderr pipes, and of the pipe the command's pid goes to the
 * server on. */
struct mvr_cmd_spec {
  char tag[MVR_CMD_TAG_MAX];
  char **argv;
  char **env;
  int out_w;
  int err_w;
  int ctl_w;
  /* The server's /dev/null (close-on-exec), the command's stdin. */
  int devnull;
};

/* In the server, before it changes any disposition: notes which signals its parent left ignored. */
void mvr_shim_note_signals(void);

/* In the forked shim: runs the command, reaps its whole tree, exits with its
 * status. Never returns. `server` is the shim's parent. */
void mvr_shim_main(const struct mvr_cmd_spec *spec, pid_t server) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif
