/*
 * `mvar-worker chaos`: perturbs the scheduling of a set of processes so that
 * rare interleavings become common, without recording anything (rr's chaos
 * mode needs rr; this needs only signals and the scheduler's own knobs).
 *
 *   mvar-worker chaos --seed S --intensity I (--pids P1,P2,... | --tree ROOT) [--parent PID]
 *
 * Runs beside one iteration, until SIGTERM/SIGINT or until no target lives:
 *   - freezes a random *running* target with SIGSTOP for a short random time,
 *     then continues it (a process frozen inside a critical section makes the
 *     others run into it). Blocked targets are never stopped: a stop and
 *     continue restarts a blocked futex wait, which re-reads its word and so
 *     rescues exactly the waiter a lost wake-up left asleep (measured: with
 *     stops of blocked processes, `run 2 --variant original` never hung);
 *   - every epoch, moves the targets onto one CPU, onto random CPUs, or back
 *     onto all of them, and gives them random nice values at or above their
 *     own (raising priority back needs CAP_SYS_NICE: tried, not required).
 * Every decision comes from a xorshift generator seeded with S, so a seed
 * names the same sequence of decisions (the timing still varies).
 * On the way out every target is continued, its CPU mask and nice value put
 * back, and one JSON line on stdout counts what was done. It dies with
 * --parent (PR_SET_PDEATHSIG), continuing its targets first when it can.
 */
#define _GNU_SOURCE
#include "chaos.h"

#include "protocol.h"
#include "segment.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS 4096
/* Intensity 1..10. At 5: a freeze every ~1 ms on average, each 50 µs to ~1 ms. */
#define MEAN_GAP_US(i) (5000 / (i))
#define FREEZE_MIN_US 50
#define FREEZE_MAX_US(i) (200 * (i))
/* With our own segment: a process that holds the MVar's mutex (its newest
 * event `locked`, `copied`, `signalled`, or the end of a condvar wait, which
 * returns with the mutex held) is frozen, with probability 1/2, for 60 ms to
 * 60 + 24*i ms: longer than the others' first wait timeout (50 ms,
 * MVR_FIRST_TIMEOUT_MS), so they wake from their condvar waits and queue on the
 * mutex it holds — the interleaving the original defect needs. */
#define HOLD_FREEZE_MIN_US 60000
#define HOLD_FREEZE_SPAN_US(i) (24000 * (i))
#define WATCH_US 20
/* How often CPU placement and priorities change, and how often a --tree is rescanned. */
#define EPOCH_US 5000
#define RESCAN_US 20000

static volatile sig_atomic_t stop_requested;
static void on_stop(int sig) {
  (void)sig;
  stop_requested = 1;
}

struct target {
  pid_t pid;
  int orig_nice;
};

static struct target targets[MAX_TARGETS];
static int ntargets;
static uint64_t rng;

static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static uint32_t below(uint32_t n) {
  return n ? (uint32_t)(next_rand() % n) : 0;
}

static void sleep_us(uint32_t us) {
  struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop_requested) {
  }
}

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The process's scheduler state letter from /proc/PID/stat ('?' when unreadable). */
static char state_of(pid_t p) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)p);
  FILE *f = fopen(path, "r");
  if (!f) return '?';
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  char *close = strrchr(buf, ')');
  return close && close[1] == ' ' ? close[2] : '?';
}

static int alive(pid_t p) {
  return kill(p, 0) == 0 || errno == EPERM;
}

static void add_target(pid_t p) {
  for (int i = 0; i < ntargets; i++)
    if (targets[i].pid == p) return;
  if (ntargets >= MAX_TARGETS) return;
  errno = 0;
  int n = getpriority(PRIO_PROCESS, (id_t)p);
  targets[ntargets].pid = p;
  targets[ntargets].orig_nice = errno ? 0 : n;
  ntargets++;
}

/* Descendants of root (and root): a breadth-first walk of /proc's ppid links. */
static void scan_tree(pid_t root) {
  pid_t queue[MAX_TARGETS];
  int qn = 0;
  queue[qn++] = root;
  if (alive(root)) add_target(root);
  for (int qi = 0; qi < qn && qn < MAX_TARGETS; qi++) {
    DIR *d = opendir("/proc");
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) && qn < MAX_TARGETS) {
      char *end;
      long pid = strtol(e->d_name, &end, 10);
      if (*end || pid <= 0) continue;
      char path[64], buf[512];
      snprintf(path, sizeof path, "/proc/%ld/stat", pid);
      FILE *f = fopen(path, "r");
      if (!f) continue;
      size_t n = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
      buf[n] = '\0';
      char *close = strrchr(buf, ')');
      char state;
      long ppid;
      if (!close || sscanf(close + 1, " %c %ld", &state, &ppid) != 2 || state == 'Z') continue;
      if (ppid == queue[qi]) {
        queue[qn++] = (pid_t)pid;
        add_target((pid_t)pid);
      }
    }
    closedir(d);
  }
}

static void place(long ncpu, uint64_t *moves, uint64_t *renice) {
  cpu_set_t set;
  uint32_t mode = below(3); /* 0: all on one CPU, 1: each on a random CPU, 2: back on every CPU */
  uint32_t shared = below((uint32_t)ncpu);
  for (int i = 0; i < ntargets; i++) {
    CPU_ZERO(&set);
    if (mode == 2)
      for (long c = 0; c < ncpu; c++) CPU_SET(c, &set);
    else
      CPU_SET(mode == 0 ? shared : below((uint32_t)ncpu), &set);
    if (sched_setaffinity(targets[i].pid, sizeof set, &set) == 0) (*moves)++;
    int nice = targets[i].orig_nice + (int)below((uint32_t)(20 - targets[i].orig_nice));
    if (setpriority(PRIO_PROCESS, (id_t)targets[i].pid, nice) == 0) (*renice)++;
  }
}

static void restore_all(long ncpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (long c = 0; c < ncpu; c++) CPU_SET(c, &set);
  for (int i = 0; i < ntargets; i++) {
    kill(targets[i].pid, SIGCONT);
    sched_setaffinity(targets[i].pid, sizeof set, &set);
    setpriority(PRIO_PROCESS, (id_t)targets[i].pid, targets[i].orig_nice);
  }
}

/* The phase of slot i's newest event, if it is new since *seen (else 0). */
static uint16_t new_phase(const struct mvr_seg *seg, uint32_t slot, uint64_t *seen) {
  struct mvr_ring *r = mvr_ring_at(seg, slot);
  uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
  if (head == 0 || head == *seen) return 0;
  *seen = head;
  const struct mvr_event *e = &r->ev[(head - 1) & (seg->ring_capacity - 1)];
  uint16_t phase = __atomic_load_n(&e->phase, __ATOMIC_RELAXED);
  return __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE) == head - 1 ? phase : 0;
}

void mvr_chaos_loop(const pid_t *pids, int n, pid_t root, uint64_t seed, uint32_t intensity, const struct mvr_seg *seg, int jitter, struct mvr_chaos_counts *out) {
  for (int i = 0; i < n; i++) add_target(pids[i]);
  struct sigaction sa = {.sa_handler = on_stop};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  rng = seed * 0x9E3779B97F4A7C15ULL + 1;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  if (ncpu < 1) ncpu = 1;
  if (ncpu > CPU_SETSIZE) ncpu = CPU_SETSIZE;
  uint64_t next_epoch = 0, next_scan = 0;
  memset(out, 0, sizeof *out);
  while (!stop_requested) {
    uint64_t t = now_us();
    if (root && t >= next_scan) {
      scan_tree(root);
      next_scan = t + RESCAN_US;
    }
    int live = 0;
    for (int i = 0; i < ntargets; i++) live += alive(targets[i].pid);
    if (!live && !root) break;
    if (root && !alive(root)) break;
    if (t >= next_epoch && ntargets) {
      place(ncpu, &out->cpu_moves, &out->renices);
      next_epoch = t + EPOCH_US;
    }
    if (seg) {
      /* Watch the rings: freeze a mutex holder now and then. */
      static uint64_t seen[MAX_TARGETS];
      int frozen = 0;
      for (int i = 0; i < n && i < MAX_TARGETS && !frozen; i++) {
        uint16_t ph = new_phase(seg, (uint32_t)i, &seen[i]);
        int holds = ph == MVR_PH_LOCKED || ph == MVR_PH_COPIED || ph == MVR_PH_SIGNALLED || ph == MVR_PH_WAIT_END || ph == MVR_PH_WAIT_TIMEOUT;
        if (holds && !jitter && below(2) == 0 && kill(pids[i], SIGSTOP) == 0) {
          out->freezes++;
          sleep_us(HOLD_FREEZE_MIN_US + below(HOLD_FREEZE_SPAN_US(intensity)));
          kill(pids[i], SIGCONT);
          frozen = 1;
        }
      }
      sleep_us(WATCH_US);
      continue;
    }
    sleep_us(below(2 * MEAN_GAP_US(intensity)));
    if (stop_requested || !ntargets) continue;
    pid_t victim = targets[below((uint32_t)ntargets)].pid;
    /* Only a running process is frozen: a stop and continue restarts a blocked
     * futex wait, which re-reads its word and so lets through exactly the
     * waiter a lost wake-up left asleep. Preempting a running one is the point. */
    if (state_of(victim) != 'R') continue;
    if (kill(victim, SIGSTOP) != 0) continue;
    out->freezes++;
    sleep_us(FREEZE_MIN_US + below(FREEZE_MAX_US(intensity)));
    kill(victim, SIGCONT);
  }
  restore_all(ncpu);
}

int mvr_chaos_main(int argc, char **argv) {
  uint64_t seed = 1;
  uint32_t intensity = 5;
  pid_t root = 0, parent = 0;
  pid_t pids[MAX_TARGETS];
  int n = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--seed")) seed = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--intensity")) intensity = (uint32_t)strtoul(v, NULL, 10);
    else if (!strcmp(k, "--tree")) root = (pid_t)strtol(v, NULL, 10);
    else if (!strcmp(k, "--parent")) parent = (pid_t)strtol(v, NULL, 10);
    else if (!strcmp(k, "--pids")) {
      for (char *p = (char *)v; *p && n < MAX_TARGETS;) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (pid > 0) pids[n++] = (pid_t)pid;
        p = *end ? end + 1 : end;
      }
    } else {
      fprintf(stderr, "mvar-worker chaos: unknown option %s\n", k);
      return MVR_EXIT_USAGE;
    }
  }
  if (intensity < 1 || intensity > 10) {
    fprintf(stderr, "mvar-worker chaos: --intensity takes 1..10\n");
    return MVR_EXIT_USAGE;
  }
  if (parent && mvr_die_with_parent((int)parent) != 0) return MVR_EXIT_PARENT;
  struct mvr_chaos_counts c;
  mvr_chaos_loop(pids, n, root, seed, intensity, NULL, 0, &c);
  printf("{\"freezes\":%llu,\"cpuMoves\":%llu,\"renices\":%llu}\n", (unsigned long long)c.freezes, (unsigned long long)c.cpu_moves,
         (unsigned long long)c.renices);
  fflush(stdout);
  return 0;
}
