/* Scheduling perturbation of a set of processes (chaos.c): `mvar-worker
 * chaos`, and the fork server's per-iteration chaos child. */
#ifndef MVR_CHAOS_H
#define MVR_CHAOS_H

#include <stdint.h>
#include <sys/types.h>

struct mvr_seg;

struct mvr_chaos_counts {
  uint64_t freezes;
  uint64_t cpu_moves;
  uint64_t renices;
};

/* Perturbs pids (and, with root, every process of its tree) until SIGTERM or
 * SIGINT or until no target lives; then continues every target and puts its
 * CPU mask and nice value back. With seg (our own segment, pids[i] in slot i),
 * freezes follow the trace: a process that just took the mutex is frozen —
 * unless jitter, when the processes themselves sleep holding the mutex
 * (preload/jitter.c), which makes the same interleaving common at a fraction
 * of the cost of 60 ms freezes; then only CPUs and priorities change. */
void mvr_chaos_loop(const pid_t *pids, int n, pid_t root, uint64_t seed, uint32_t intensity, const struct mvr_seg *seg, int jitter, struct mvr_chaos_counts *out);

int mvr_chaos_main(int argc, char **argv);

#endif
