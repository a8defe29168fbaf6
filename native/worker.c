/*
 * mvar-worker: one process of the protocol, native runtime.
 *
 *   mvar-worker --segment NAME --role master|slave|producer|consumer
 *               [--id N] [--count N] [--parent PID]
 *
 *   mvar-worker serve [--parent PID]     the fork server (forkserver.c)
 *   mvar-worker commands [--parent PID]  the command server of soak -- COMMAND
 *                                        and check (commands.c)
 *   mvar-worker guard --parent PID --dir DIR --name NAME
 *                                        remove the temporaries of DIR/NAME if PID
 *                                        dies mid-write (guard.c)
 *   mvar-worker chaos --seed S --intensity I (--pids P,... | --tree ROOT) [--parent PID]
 *                                        perturb their scheduling (chaos.c)
 *
 * Exits 0 on success, otherwise an enum mvr_exit with one line on stderr.
 */
#define _GNU_SOURCE
#include "chaos.h"
#include "commands.h"
#include "forkserver.h"
#include "guard.h"
#include "protocol.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_u32(const char *s, uint32_t *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || *s == '-' || v > UINT32_MAX) return -1;
  *out = (uint32_t)v;
  return 0;
}

static int role_of(const char *s) {
  if (!strcmp(s, "master")) return MVR_ROLE_MASTER;
  if (!strcmp(s, "slave")) return MVR_ROLE_SLAVE;
  if (!strcmp(s, "producer")) return MVR_ROLE_PRODUCER;
  if (!strcmp(s, "consumer")) return MVR_ROLE_CONSUMER;
  return -1;
}

static int usage(const char *msg) {
  fprintf(stderr, "mvar-worker: %s (usage: mvar-worker --segment NAME --role master|slave|producer|consumer "
                  "[--id N] [--count N] [--parent PID])\n", msg);
  return MVR_EXIT_USAGE;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "chaos") == 0) return mvr_chaos_main(argc, argv);
  if (argc == 8 && strcmp(argv[1], "guard") == 0 && !strcmp(argv[2], "--parent") && !strcmp(argv[4], "--dir") && !strcmp(argv[6], "--name")) {
    uint32_t parent;
    if (parse_u32(argv[3], &parent) || parent == 0 || parent > INT_MAX) return usage("--parent takes a pid");
    return mvr_guard((int)parent, argv[5], argv[7]);
  }
  static const struct option opts[] = {
      {"segment", required_argument, 0, 's'}, {"role", required_argument, 0, 'r'},
      {"id", required_argument, 0, 'i'},      {"count", required_argument, 0, 'c'},
      {"parent", required_argument, 0, 'p'},  {0, 0, 0, 0},
  };
  int serve = argc > 1 && strcmp(argv[1], "serve") == 0;
  int commands = argc > 1 && strcmp(argv[1], "commands") == 0;
  if (serve || commands) {
    argv++;
    argc--;
  }
  const char *segment = NULL;
  int role = -1;
  uint32_t id = 0, count = 0, parent = 0;
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 's': segment = optarg; break;
    case 'r':
      if ((role = role_of(optarg)) < 0) return usage("unknown role");
      break;
    case 'i':
      if (parse_u32(optarg, &id)) return usage("--id takes a non-negative integer");
      break;
    case 'c':
      if (parse_u32(optarg, &count)) return usage("--count takes a non-negative integer");
      break;
    case 'p':
      if (parse_u32(optarg, &parent) || parent > INT_MAX) return usage("--parent takes a pid");
      break;
    default: return usage("unknown or incomplete option");
    }
  }
  if (optind != argc) return usage("unexpected argument");
  if (serve) return mvr_serve((int)parent);
  if (commands) return mvr_commands_serve((int)parent);
  if (!segment || role < 0) return usage("--segment and --role are required");
  if (parent && mvr_die_with_parent((int)parent) != 0) {
    fprintf(stderr, "mvar-worker: parent %u is gone before start\n", parent);
    return MVR_EXIT_PARENT;
  }

  char err[256] = "";
  struct mvr_seg seg;
  int rc = mvr_segment_open(segment, &seg, err, sizeof err);
  if (rc) {
    fprintf(stderr, "mvar-worker: %s\n", err);
    return MVR_EXIT_SEGMENT;
  }
  struct mvr_proc proc;
  rc = mvr_register(&seg, (uint32_t)role, id, MVR_RUNTIME_NATIVE, &proc, err, sizeof err);
  if (rc) {
    fprintf(stderr, "mvar-worker: %s\n", err);
    return MVR_EXIT_SEGMENT;
  }
  int status = mvr_run_role(&proc, count, err, sizeof err);
  mvr_finish(&proc, status, err);
  if (status != MVR_EXIT_OK) fprintf(stderr, "mvar-worker: %s\n", err);
  mvr_segment_close(&seg);
  return status;
}
