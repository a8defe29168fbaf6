/*
 * The trace: one ring per thread in the segment the CLI created and named in
 * MVAR_REPRO_TRACE (its /proc/PID/fd/N path). A thread claims a slot at its
 * first traced call, in order (header.threads_claimed counts claims, so slot
 * order is the order threads first touched a watched primitive); a thread
 * that finds every slot taken stays untraced and the count says so. Each
 * ring has one writer, its thread, so records need no lock (trace.h).
 *
 * The slot carries the process's command line beside its pid and tid: what
 * the reader aligns runs by (processes and threads in creation order, which
 * is pid and tid order).
 */
#define _GNU_SOURCE
#include "ring.h"

#include "../segment.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* initial-exec (ring.h): the library is loaded at start-up (LD_PRELOAD), so
 * its TLS is static and every access is one %fs-relative load, no __tls_get_addr. */
__thread struct thread_ring pl_tr;
#define me pl_tr

static struct mvr_seg seg;
static char cmdline[MVR_CMD_MAX];
static pthread_key_t exit_key;

static void read_cmdline(void) {
  int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
  close(fd);
  if (n <= 0) return;
  /* Arguments are NUL-separated; a newline or tab inside one would break a line of output. */
  for (ssize_t i = 0; i < n; i++)
    if ((unsigned char)cmdline[i] < ' ') cmdline[i] = ' ';
  while (n > 0 && cmdline[n - 1] == ' ') n--;
  cmdline[n] = '\0';
}

static void slot_done(struct mvr_slot *slot, uint64_t now) {
  slot->end_ns = now;
  __atomic_store_n(&slot->state, MVR_SLOT_DONE, __ATOMIC_RELEASE);
}

static void finish(struct thread_ring *t) {
  if (t->state != 1) return;
  slot_done(t->slot, mvr_now_ns());
  t->state = -1;
}

/* pthread key destructor: runs in the exiting thread, after its last call. */
static void thread_exit(void *unused) { finish(&me); }

/* exit(), a return from main, or _exit (interpose.c): the process ends by
 * itself, and with it every thread of it still running (no key destructor
 * runs for them). A slot left running is then a thread that was killed.
 * A vfork child runs in our memory with our cached pid but its own real one;
 * its _exit must not end our threads, hence the system call. */
void pl_trace_process_exit(void) {
  if (!pl.tracing || (int32_t)syscall(SYS_getpid) != pl.pid) return;
  uint64_t now = mvr_now_ns();
  uint32_t n = __atomic_load_n(&seg.hdr->threads_claimed, __ATOMIC_ACQUIRE);
  if (n > seg.proc_capacity) n = seg.proc_capacity;
  for (uint32_t i = 0; i < n; i++) {
    struct mvr_slot *slot = &seg.slots[i];
    if (slot->pid == pl.pid && slot->role == MVR_ROLE_THREAD && __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) == MVR_SLOT_RUNNING)
      slot_done(slot, now);
  }
  me.state = -1;
}

__attribute__((destructor)) static void process_exit(void) { pl_trace_process_exit(); }

void pl_trace_open(void) {
  const char *path = getenv("MVAR_REPRO_TRACE");
  if (!path) return;
  char err[256];
  if (mvr_segment_open(path, &seg, err, sizeof err) != MVR_OK) return;
  read_cmdline();
  pthread_key_create(&exit_key, thread_exit);
  pl_stamp_init();
  pl.tracing = 1;
}

/* In the fork child: the forking thread's TLS came along and names the parent's slot. */
void pl_trace_after_fork(void) {
  memset(&me, 0, sizeof me);
}

int pl_trace_claim(void) {
  if (me.state) return me.state > 0;
  me.state = -1;
  if (!pl.tracing) return 0;
  uint32_t i = __atomic_fetch_add(&seg.hdr->threads_claimed, 1, __ATOMIC_ACQ_REL);
  if (i >= seg.proc_capacity) return 0;
  struct mvr_slot *slot = &seg.slots[i];
  me.tid = (int32_t)gettid();
  slot->pid = pl.pid;
  slot->tid = me.tid;
  slot->role = MVR_ROLE_THREAD;
  slot->start_ns = mvr_now_ns();
  memcpy(slot->cmd, cmdline, sizeof cmdline);
  me.slot = slot;
  me.ring = mvr_ring_at(&seg, i);
  me.head = __atomic_load_n(&me.ring->head, __ATOMIC_ACQUIRE);
  me.mask = seg.ring_capacity - 1;
  pthread_setspecific(exit_key, &me);
  __atomic_store_n(&slot->state, MVR_SLOT_RUNNING, __ATOMIC_RELEASE);
  me.state = 1;
  return 1;
}

uint32_t pl_deadline_ms(clockid_t clk, const struct timespec *abstime) {
  if (!abstime) return 0;
  struct timespec now;
  clock_gettime(clk, &now);
  long long ms = ((long long)abstime->tv_sec - now.tv_sec) * 1000 + (abstime->tv_nsec - now.tv_nsec) / 1000000;
  return ms <= 0 ? 0 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}
