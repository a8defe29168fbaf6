/*
 * mvar-tracebench: the hot-path cost of one trace record, measured beside a
 * line-buffered printf of a comparable line to a pipe (what the original
 * traced with), in the same process and run.
 *
 *   mvar-tracebench [--events N]   prints one JSON line
 */
#define _GNU_SOURCE
#include "mvar.h"
#include "segment.h"
#include "trace.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *drain(void *arg) {
  int fd = *(int *)arg;
  char buf[1 << 16];
  while (read(fd, buf, sizeof buf) > 0) {
  }
  return NULL;
}

static double per_event_ns(uint64_t t0, uint64_t t1, long n) { return (double)(t1 - t0) / (double)n; }

int main(int argc, char **argv) {
  long n = 2000000;
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], "--events") == 0) n = atol(argv[i + 1]);
  if (n < 1000) n = 1000;

  char err[256];
  struct mvr_create_opts o = {.variant = MVR_VARIANT_FIXED, .nslaves = 1, .rounds = 1, .ring_capacity = 1 << 16};
  struct mvr_seg seg;
  if (mvr_segment_create(&o, &seg, err, sizeof err)) {
    fprintf(stderr, "mvar-tracebench: %s\n", err);
    return 3;
  }
  mvr_segment_unlink(seg.name, err, sizeof err); /* the mapping is all we need */
  struct mvr_proc p;
  if (mvr_register(&seg, MVR_ROLE_MASTER, 0, MVR_RUNTIME_NATIVE, &p, err, sizeof err)) {
    fprintf(stderr, "mvar-tracebench: %s\n", err);
    return 3;
  }

  /* Warm the ring's pages and the vDSO. */
  for (long i = 0; i < 100000; i++) mvr_trace(&p, MVR_OP_TAKE, MVR_PH_WAIT_BEGIN, 0, 0, 50, (uint64_t)i, 0);
  uint64_t t0 = mvr_now_ns();
  for (long i = 0; i < n; i++) mvr_trace(&p, MVR_OP_TAKE, (uint16_t)(1 + (i & 7)), 0, 0, 50, (uint64_t)i, 0);
  uint64_t t1 = mvr_now_ns();
  double trace_ns = per_event_ns(t0, t1, n);

  /* The original's tracing: a line-buffered printf per event to a pipe that
   * another thread drains. The same fields, formatted. */
  int fds[2];
  if (pipe(fds)) return 3;
  pthread_t th;
  pthread_create(&th, NULL, drain, &fds[0]);
  FILE *out = fdopen(fds[1], "w");
  setvbuf(out, NULL, _IOLBF, 1 << 16);
  long m = n / 4; /* printf is slower: fewer events give the same precision */
  struct timespec ts;
  uint64_t t2 = mvr_now_ns();
  for (long i = 0; i < m; i++) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf(out, "%lld.%09ld pid=%d tid=%d op=take id=%ld phase=%d rc=0 errno=0 full=%d deadline=50\n", (long long)ts.tv_sec,
            ts.tv_nsec, p.pid, mvr_tid(), i, (int)(1 + (i & 7)), (int)(i & 1));
  }
  uint64_t t3 = mvr_now_ns();
  fclose(out);
  pthread_join(th, NULL);
  double printf_ns = per_event_ns(t2, t3, m);

  printf("{\"events\":%ld,\"traceNsPerEvent\":%.2f,\"printfEvents\":%ld,\"printfNsPerEvent\":%.2f}\n", n, trace_ns, m, printf_ns);
  mvr_segment_close(&seg);
  return 0;
}
