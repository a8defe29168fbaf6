/*
 * mvar-launcher: the floor an orchestrator is measured against. A small C
 * program that, per iteration, creates a fixed segment, forks one master and
 * N slaves that run the same protocol with the same core, waits for them and
 * unlinks the segment. No watching, no reports.
 *
 *   mvar-launcher [--slaves N] [--iterations K] [--rounds R]   prints one JSON line
 */
#define _GNU_SOURCE
#include "clock.h"
#include "protocol.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(struct mvr_seg *seg, uint32_t role, uint32_t id) {
  char err[256];
  struct mvr_proc p;
  if (mvr_register(seg, role, id, MVR_RUNTIME_NATIVE, &p, err, sizeof err)) _exit(MVR_EXIT_SEGMENT);
  int st = mvr_run_role(&p, 0, err, sizeof err);
  mvr_finish(&p, st, err);
  _exit(st);
}

int main(int argc, char **argv) {
  uint32_t n = 50, k = 20, rounds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--slaves")) n = (uint32_t)atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--iterations")) k = (uint32_t)atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--rounds")) rounds = (uint32_t)atoi(argv[i + 1]);
  }
  printf("{\"slaves\":%u,\"iterationsMs\":[", n);
  int failed = 0;
  for (uint32_t it = 0; it < k; it++) {
    uint64_t t0 = mvr_now_ns();
    char err[256];
    struct mvr_create_opts o = {.variant = MVR_VARIANT_FIXED, .nslaves = n, .rounds = rounds};
    struct mvr_seg seg;
    if (mvr_segment_create(&o, &seg, err, sizeof err)) {
      fprintf(stderr, "mvar-launcher: %s\n", err);
      return 3;
    }
    for (uint32_t i = 0; i <= n; i++) {
      pid_t pid = fork();
      if (pid == 0) child(&seg, i == 0 ? MVR_ROLE_MASTER : MVR_ROLE_SLAVE, i);
      if (pid < 0) {
        perror("fork");
        return 3;
      }
    }
    for (uint32_t i = 0; i <= n; i++) {
      int st;
      if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) failed++;
    }
    mvr_segment_unlink(seg.name, err, sizeof err);
    mvr_segment_close(&seg);
    printf("%s%.3f", it ? "," : "", (double)(mvr_now_ns() - t0) / 1e6);
  }
  printf("],\"failed\":%d}\n", failed);
  return failed ? 1 : 0;
}
