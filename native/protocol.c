#define _GNU_SOURCE
#include "protocol.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int mvr_die_with_parent(int expected_ppid) {
  /* Delivered when the thread that forked us exits. Node spawns children from
   * its main thread, so this fires when the orchestrator process dies. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
  /* If the parent died before prctl, we were already reparented and the
   * signal will never come: check explicitly. */
  if (expected_ppid > 0 && getppid() != expected_ppid) return -1;
  return 0;
}

static int op_failed(struct mvr_proc *p, const char *what, int rc, char *err, size_t errlen) {
  snprintf(err, errlen, "%s failed in op %u: %s", what, p->op_id, strerror(rc));
  return MVR_EXIT_PROTOCOL;
}

static int run_slave(struct mvr_proc *p, uint32_t rounds, char *err, size_t errlen) {
  uint64_t v = 0;
  int rc;
  mvr_wait_for_fault(p);
  if (mvr_fault_is_abba_party(p)) mvr_abba(p);
  if (mvr_fault_loses_value(p)) {
    /* Takes its own share and one value it should have passed on, then leaves. */
    if ((rc = mvr_take(p, &v))) return op_failed(p, "take", rc, err, errlen);
    if ((rc = mvr_take(p, &v))) return op_failed(p, "take", rc, err, errlen);
    _exit(0);
  }
  for (uint32_t r = 0; r < rounds; r++) {
    if ((rc = mvr_take(p, &v))) return op_failed(p, "take", rc, err, errlen);
    if ((rc = mvr_put(p, v + 1))) return op_failed(p, "put", rc, err, errlen);
  }
  if ((rc = mvr_take(p, &v))) return op_failed(p, "take", rc, err, errlen);
  return MVR_EXIT_OK;
}

int mvr_run_role(struct mvr_proc *p, uint32_t count, char *err, size_t errlen) {
  uint64_t v;
  int rc;
  switch (p->role) {
  case MVR_ROLE_MASTER:
    if (!count) count = p->seg->nslaves;
    for (uint32_t i = 1; i <= count; i++)
      if ((rc = mvr_put(p, i))) return op_failed(p, "put", rc, err, errlen);
    return MVR_EXIT_OK;
  case MVR_ROLE_SLAVE:
    return run_slave(p, count ? count : p->seg->rounds, err, errlen);
  case MVR_ROLE_PRODUCER:
    for (uint32_t i = 1; i <= count; i++)
      if ((rc = mvr_put(p, i))) return op_failed(p, "put", rc, err, errlen);
    return MVR_EXIT_OK;
  case MVR_ROLE_CONSUMER:
    for (uint32_t i = 1; i <= count; i++) {
      if ((rc = mvr_take(p, &v))) return op_failed(p, "take", rc, err, errlen);
      if (v != i) {
        snprintf(err, errlen, "value %llu arrived where %u was expected", (unsigned long long)v, i);
        return MVR_EXIT_VALUE;
      }
    }
    return MVR_EXIT_OK;
  default:
    snprintf(err, errlen, "unknown role %u", p->role);
    return MVR_EXIT_USAGE;
  }
}
