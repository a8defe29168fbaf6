/*
 * The roles of the protocol (docs/design.md) over the traced MVar, shared by the native worker
 * and the benchmark launcher.
 */
#ifndef MVR_PROTOCOL_H
#define MVR_PROTOCOL_H

#include "mvar.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exit statuses of a worker; the orchestrator reads them from the slot and the OS. */
enum mvr_exit {
  MVR_EXIT_OK = 0,
  MVR_EXIT_USAGE = 2,
  MVR_EXIT_SEGMENT = 3,  /* cannot open or register in the segment */
  MVR_EXIT_PROTOCOL = 4, /* take/put returned an error */
  MVR_EXIT_VALUE = 5,    /* a consumer saw a value out of order */
  MVR_EXIT_PARENT = 6,   /* parent already gone at start */
};

/*
 * Runs `role` to completion. count is the number of puts for the master
 * (default nslaves), rounds for a slave (default header.rounds), values for
 * producer/consumer. Returns an enum mvr_exit; err holds one line on failure.
 * The lose-value fault makes its slave _exit(0) in here, as a buggy process would.
 */
int mvr_run_role(struct mvr_proc *p, uint32_t count, char *err, size_t errlen);

/* PR_SET_PDEATHSIG(SIGKILL), then checks the parent is still `expected_ppid`
 * (0: skip the check). Returns 0, or -1 if the parent is already gone. */
int mvr_die_with_parent(int expected_ppid);

#ifdef __cplusplus
}
#endif

#endif
