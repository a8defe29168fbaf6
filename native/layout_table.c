#define _GNU_SOURCE
#include "layout_table.h"

#include "layout.h"
#include "mvar.h"
#include "protocol.h"

#include <features.h>
#include <pthread.h>
#include <stddef.h>

#define FIELD(region, type, cname, member) \
  {region, cname, (uint32_t)offsetof(type, member), (uint32_t)sizeof(((type *)0)->member)}

/* A pthread_mutex_t member of struct mvr_mvar, with glibc's __data fields
 * (x86_64 layout since glibc 2.12). */
#define MUTEX(cname, member)                                             \
  FIELD("mvar", struct mvr_mvar, cname, member),                         \
  FIELD("mvar", struct mvr_mvar, cname ".__lock", member.__data.__lock), \
  FIELD("mvar", struct mvr_mvar, cname ".__count", member.__data.__count), \
  FIELD("mvar", struct mvr_mvar, cname ".__owner", member.__data.__owner), \
  FIELD("mvar", struct mvr_mvar, cname ".__nusers", member.__data.__nusers), \
  FIELD("mvar", struct mvr_mvar, cname ".__kind", member.__data.__kind), \
  FIELD("mvar", struct mvr_mvar, cname ".__spins", member.__data.__spins), \
  FIELD("mvar", struct mvr_mvar, cname ".__list.__prev", member.__data.__list.__prev), \
  FIELD("mvar", struct mvr_mvar, cname ".__list.__next", member.__data.__list.__next)

/* glibc 2.41 dropped __g_refs from the condvar (the lost-wakeup fix). */
#if __GLIBC_PREREQ(2, 41)
#define COND_REFS(cname, member)
#else
#define COND_REFS(cname, member)                                                    \
  FIELD("mvar", struct mvr_mvar, cname ".__g_refs[0]", member.__data.__g_refs[0]), \
  FIELD("mvar", struct mvr_mvar, cname ".__g_refs[1]", member.__data.__g_refs[1]),
#endif

/* A pthread_cond_t member, with the fields of glibc's 2.25+ condvar. */
#define COND(cname, member)                                                            \
  FIELD("mvar", struct mvr_mvar, cname, member),                                       \
  FIELD("mvar", struct mvr_mvar, cname ".__wseq", member.__data.__wseq),               \
  FIELD("mvar", struct mvr_mvar, cname ".__g1_start", member.__data.__g1_start),       \
  COND_REFS(cname, member)                                                             \
  FIELD("mvar", struct mvr_mvar, cname ".__g_size[0]", member.__data.__g_size[0]),     \
  FIELD("mvar", struct mvr_mvar, cname ".__g_size[1]", member.__data.__g_size[1]),     \
  FIELD("mvar", struct mvr_mvar, cname ".__g1_orig_size", member.__data.__g1_orig_size), \
  FIELD("mvar", struct mvr_mvar, cname ".__wrefs", member.__data.__wrefs),             \
  FIELD("mvar", struct mvr_mvar, cname ".__g_signals[0]", member.__data.__g_signals[0]), \
  FIELD("mvar", struct mvr_mvar, cname ".__g_signals[1]", member.__data.__g_signals[1])

const struct mvr_field mvr_fields[] = {
    {"header", "", 0, sizeof(struct mvr_header)},
    FIELD("header", struct mvr_header, "magic", magic),
    FIELD("header", struct mvr_header, "layoutVersion", layout_version),
    FIELD("header", struct mvr_header, "headerSize", header_size),
    FIELD("header", struct mvr_header, "totalSize", total_size),
    FIELD("header", struct mvr_header, "procCapacity", proc_capacity),
    FIELD("header", struct mvr_header, "ringCapacity", ring_capacity),
    FIELD("header", struct mvr_header, "eventSize", event_size),
    FIELD("header", struct mvr_header, "slotSize", slot_size),
    FIELD("header", struct mvr_header, "ringSize", ring_size),
    FIELD("header", struct mvr_header, "mvarOffset", mvar_offset),
    FIELD("header", struct mvr_header, "slotsOffset", slots_offset),
    FIELD("header", struct mvr_header, "ringsOffset", rings_offset),
    FIELD("header", struct mvr_header, "variant", variant),
    FIELD("header", struct mvr_header, "fault", fault),
    FIELD("header", struct mvr_header, "faultTarget", fault_target),
    FIELD("header", struct mvr_header, "rounds", rounds),
    FIELD("header", struct mvr_header, "nslaves", nslaves),
    FIELD("header", struct mvr_header, "creatorPid", creator_pid),
    FIELD("header", struct mvr_header, "createdNs", created_ns),
    FIELD("header", struct mvr_header, "createdRealtimeNs", created_realtime_ns),
    FIELD("header", struct mvr_header, "threadsClaimed", threads_claimed),
    FIELD("header", struct mvr_header, "name", name),

    {"mvar", "", 0, sizeof(struct mvr_mvar)},
    FIELD("mvar", struct mvr_mvar, "isFull", is_full),
    FIELD("mvar", struct mvr_mvar, "value", value),
    MUTEX("mutex", mutex),
    COND("canPut", can_put),
    COND("canTake", can_take),
    FIELD("mvar", struct mvr_mvar, "takes", takes),
    FIELD("mvar", struct mvr_mvar, "puts", puts),
    FIELD("mvar", struct mvr_mvar, "lockTimeouts", lock_timeouts),
    FIELD("mvar", struct mvr_mvar, "waitTimeouts", wait_timeouts),
    FIELD("mvar", struct mvr_mvar, "ownerDied", owner_died),
    FIELD("mvar", struct mvr_mvar, "errors", errors),
    MUTEX("aux[0]", aux[0]),
    MUTEX("aux[1]", aux[1]),
    FIELD("mvar", struct mvr_mvar, "abbaArrived", abba_arrived),
    FIELD("mvar", struct mvr_mvar, "faultFired", fault_fired),

    {"slot", "", 0, sizeof(struct mvr_slot)},
    FIELD("slot", struct mvr_slot, "pid", pid),
    FIELD("slot", struct mvr_slot, "tid", tid),
    FIELD("slot", struct mvr_slot, "role", role),
    FIELD("slot", struct mvr_slot, "id", id),
    FIELD("slot", struct mvr_slot, "state", state),
    FIELD("slot", struct mvr_slot, "curOp", cur_op),
    FIELD("slot", struct mvr_slot, "curOpId", cur_op_id),
    FIELD("slot", struct mvr_slot, "opsDone", ops_done),
    FIELD("slot", struct mvr_slot, "lastEventNs", last_event_ns),
    FIELD("slot", struct mvr_slot, "exitStatus", exit_status),
    FIELD("slot", struct mvr_slot, "runtime", runtime),
    FIELD("slot", struct mvr_slot, "startNs", start_ns),
    FIELD("slot", struct mvr_slot, "endNs", end_ns),
    FIELD("slot", struct mvr_slot, "reason", reason),
    FIELD("slot", struct mvr_slot, "cmd", cmd),

    {"ring", "", 0, sizeof(struct mvr_ring)},
    FIELD("ring", struct mvr_ring, "head", head),
    FIELD("ring", struct mvr_ring, "capacity", capacity),
    FIELD("ring", struct mvr_ring, "slot", slot),
    {"ring", "events", (uint32_t)offsetof(struct mvr_ring, ev), sizeof(struct mvr_event)},

    {"event", "", 0, sizeof(struct mvr_event)},
    FIELD("event", struct mvr_event, "seq", seq),
    FIELD("event", struct mvr_event, "tNs", t_ns),
    FIELD("event", struct mvr_event, "pid", pid),
    FIELD("event", struct mvr_event, "tid", tid),
    FIELD("event", struct mvr_event, "opId", op_id),
    FIELD("event", struct mvr_event, "op", op),
    FIELD("event", struct mvr_event, "phase", phase),
    FIELD("event", struct mvr_event, "rc", rc),
    FIELD("event", struct mvr_event, "err", err),
    FIELD("event", struct mvr_event, "deadlineMs", deadline_ms),
    FIELD("event", struct mvr_event, "isFull", is_full),
    FIELD("event", struct mvr_event, "value", value),
    FIELD("event", struct mvr_event, "aux", aux),
};
const size_t mvr_field_count = sizeof mvr_fields / sizeof mvr_fields[0];

const struct mvr_const mvr_consts[] = {
    {"variant", "original", MVR_VARIANT_ORIGINAL},
    {"variant", "fixed", MVR_VARIANT_FIXED},

    {"fault", "none", MVR_FAULT_NONE},
    {"fault", "kill-holder", MVR_FAULT_KILL_HOLDER},
    {"fault", "kill-holder-nonrobust", MVR_FAULT_KILL_HOLDER_NONROBUST},
    {"fault", "lose-value", MVR_FAULT_LOSE_VALUE},
    {"fault", "stop-slave", MVR_FAULT_STOP_SLAVE},
    {"fault", "abba", MVR_FAULT_ABBA},

    {"role", "master", MVR_ROLE_MASTER},
    {"role", "slave", MVR_ROLE_SLAVE},
    {"role", "producer", MVR_ROLE_PRODUCER},
    {"role", "consumer", MVR_ROLE_CONSUMER},
    {"role", "thread", MVR_ROLE_THREAD},

    {"slotState", "free", MVR_SLOT_FREE},
    {"slotState", "registered", MVR_SLOT_REGISTERED},
    {"slotState", "running", MVR_SLOT_RUNNING},
    {"slotState", "done", MVR_SLOT_DONE},
    {"slotState", "failed", MVR_SLOT_FAILED},

    {"op", "none", MVR_OP_NONE},
    {"op", "take", MVR_OP_TAKE},
    {"op", "put", MVR_OP_PUT},
    {"op", "abba", MVR_OP_ABBA},
    {"op", "mutex-init", MVR_OP_MUTEX_INIT},
    {"op", "mutex-destroy", MVR_OP_MUTEX_DESTROY},
    {"op", "mutex-lock", MVR_OP_MUTEX_LOCK},
    {"op", "mutex-trylock", MVR_OP_MUTEX_TRYLOCK},
    {"op", "mutex-timedlock", MVR_OP_MUTEX_TIMEDLOCK},
    {"op", "mutex-clocklock", MVR_OP_MUTEX_CLOCKLOCK},
    {"op", "mutex-unlock", MVR_OP_MUTEX_UNLOCK},
    {"op", "cond-init", MVR_OP_COND_INIT},
    {"op", "cond-destroy", MVR_OP_COND_DESTROY},
    {"op", "cond-wait", MVR_OP_COND_WAIT},
    {"op", "cond-timedwait", MVR_OP_COND_TIMEDWAIT},
    {"op", "cond-clockwait", MVR_OP_COND_CLOCKWAIT},
    {"op", "cond-signal", MVR_OP_COND_SIGNAL},
    {"op", "cond-broadcast", MVR_OP_COND_BROADCAST},
    {"op", "sem-init", MVR_OP_SEM_INIT},
    {"op", "sem-destroy", MVR_OP_SEM_DESTROY},
    {"op", "sem-wait", MVR_OP_SEM_WAIT},
    {"op", "sem-timedwait", MVR_OP_SEM_TIMEDWAIT},
    {"op", "sem-post", MVR_OP_SEM_POST},
    {"op", "sem-trywait", MVR_OP_SEM_TRYWAIT},
    {"op", "sem-clockwait", MVR_OP_SEM_CLOCKWAIT},

    {"phase", "enter", MVR_PH_ENTER},
    {"phase", "lock-timeout", MVR_PH_LOCK_TIMEOUT},
    {"phase", "locked", MVR_PH_LOCKED},
    {"phase", "wait-begin", MVR_PH_WAIT_BEGIN},
    {"phase", "wait-end", MVR_PH_WAIT_END},
    {"phase", "wait-timeout", MVR_PH_WAIT_TIMEOUT},
    {"phase", "copied", MVR_PH_COPIED},
    {"phase", "signalled", MVR_PH_SIGNALLED},
    {"phase", "unlocked", MVR_PH_UNLOCKED},
    {"phase", "done", MVR_PH_DONE},
    {"phase", "owner-died", MVR_PH_OWNER_DIED},
    {"phase", "error", MVR_PH_ERROR},
    {"phase", "lock-begin", MVR_PH_LOCK_BEGIN},

    {"runtime", "native", MVR_RUNTIME_NATIVE},
    {"runtime", "node", MVR_RUNTIME_NODE},

    {"exit", "ok", MVR_EXIT_OK},
    {"exit", "usage", MVR_EXIT_USAGE},
    {"exit", "segment", MVR_EXIT_SEGMENT},
    {"exit", "protocol", MVR_EXIT_PROTOCOL},
    {"exit", "value", MVR_EXIT_VALUE},
    {"exit", "parent", MVR_EXIT_PARENT},

    {"cv", "canPut", MVR_CV_CAN_PUT},
    {"cv", "canTake", MVR_CV_CAN_TAKE},

    {"error", "EARG", MVR_E_ARG},
    {"error", "ENOENT", MVR_E_NOENT},
    {"error", "EACCES", MVR_E_PERM},
    {"error", "ESEGSIZE", MVR_E_SIZE},
    {"error", "ESEGMAGIC", MVR_E_MAGIC},
    {"error", "ESEGVERSION", MVR_E_VERSION},
    {"error", "ESEGBOUNDS", MVR_E_BOUNDS},
    {"error", "ESYS", MVR_E_SYS},
    {"error", "EEXIST", MVR_E_EXIST},
    {"error", "ECLOSED", MVR_E_CLOSED},
    {"error", "EBUSY", MVR_E_BUSY},
    {"error", "EMVAR", MVR_E_MVAR},

    {"limit", "layoutVersion", MVR_LAYOUT_VERSION},
    {"limit", "maxProcs", MVR_MAX_PROCS},
    {"limit", "minRingEvents", MVR_MIN_RING_EVENTS},
    {"limit", "maxRingEvents", MVR_MAX_RING_EVENTS},
    {"limit", "defaultRingEvents", MVR_DEFAULT_RING_EVENTS},
    {"limit", "firstTimeoutMs", MVR_FIRST_TIMEOUT_MS},
    /* glibc's pthread_rwlock_t (bits/struct_rwlock.h, public): the words its
     * waiters sleep on and who holds it for writing, read by the diagnosis. */
    {"rwlock", "size", sizeof(pthread_rwlock_t)},
    {"rwlock", "__readers", offsetof(pthread_rwlock_t, __data.__readers)},
    {"rwlock", "__writers", offsetof(pthread_rwlock_t, __data.__writers)},
    {"rwlock", "__wrphase_futex", offsetof(pthread_rwlock_t, __data.__wrphase_futex)},
    {"rwlock", "__writers_futex", offsetof(pthread_rwlock_t, __data.__writers_futex)},
    {"rwlock", "__cur_writer", offsetof(pthread_rwlock_t, __data.__cur_writer)},
    {"rwlock", "__shared", offsetof(pthread_rwlock_t, __data.__shared)},
    {"rwlock", "__flags", offsetof(pthread_rwlock_t, __data.__flags)},
    /* glibc's barrier is opaque (pthread_barrier_t is a char array); its
     * insides are struct pthread_barrier of sysdeps/nptl/internaltypes.h
     * (2.23+), mirrored in layout.h as struct mvr_glibc_barrier. */
    {"barrier", "size", sizeof(pthread_barrier_t)},
    {"barrier", "in", offsetof(struct mvr_glibc_barrier, in)},
    {"barrier", "current_round", offsetof(struct mvr_glibc_barrier, current_round)},
    {"barrier", "count", offsetof(struct mvr_glibc_barrier, count)},
    {"barrier", "shared", offsetof(struct mvr_glibc_barrier, shared)},
    {"barrier", "out", offsetof(struct mvr_glibc_barrier, out)},
    {"limit", "glibcMajor", __GLIBC__},
    {"limit", "glibcMinor", __GLIBC_MINOR__},
};
const size_t mvr_const_count = sizeof mvr_consts / sizeof mvr_consts[0];
