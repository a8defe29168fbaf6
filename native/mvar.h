/*
 * The MVar in shared memory: initialisation per variant, process
 * registration, and the traced take/put of the protocol in docs/design.md.
 */
#ifndef MVR_MVAR_H
#define MVR_MVAR_H

#include "layout.h"
#include "segment.h"
#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* First deadline of every timed lock and wait; doubled after each ETIMEDOUT. */
#define MVR_FIRST_TIMEOUT_MS 50u

/* Which runtime a process registers as (slot.runtime). */
enum mvr_runtime { MVR_RUNTIME_NATIVE = 1, MVR_RUNTIME_NODE = 2 };

void mvr_mvar_init(struct mvr_mvar *shared, uint32_t variant, uint32_t fault);

/* Slot index a role/id pair occupies, or -1 when it has none in this segment. */
int mvr_slot_index(const struct mvr_seg *s, uint32_t role, uint32_t id);

/* Claims the slot of role/id for the calling process and starts its ring. */
int mvr_register(struct mvr_seg *s, uint32_t role, uint32_t id, uint32_t runtime, struct mvr_proc *p, char *err,
                 size_t errlen);

/* Marks this process's slot done (status 0) or failed, with the status it
 * will exit with and, on failure, a one-line reason (truncated to fit). */
void mvr_finish(struct mvr_proc *p, int status, const char *reason);

/* Both return 0 or the pthread error that ended the operation; the ring says where. */
int mvr_take(struct mvr_proc *p, uint64_t *out);
int mvr_put(struct mvr_proc *p, uint64_t value);

/* The abba fault's lock-order inversion: slave fault_target locks aux[0] then
 * aux[1], slave fault_target+1 the other way round. Never returns when staged. */
int mvr_abba(struct mvr_proc *p);

/* Faults that strike while a slave holds the mutex (kill-holder*, stop-slave). */
int mvr_fault_holds_mutex(uint32_t fault);

/* The other slaves' gate for those faults: returns once the fault has struck
 * (at once for the master, the target, and other faults). */
void mvr_wait_for_fault(const struct mvr_proc *p);

/* Whether the staged fault makes this slave run the abba prelude / lose a value. */
int mvr_fault_is_abba_party(const struct mvr_proc *p);
int mvr_fault_loses_value(const struct mvr_proc *p);

#ifdef __cplusplus
}
#endif

#endif
