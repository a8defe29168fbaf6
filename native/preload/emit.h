/*
 * The check's output: one JSON object per line, built on the caller's stack
 * and written with one write(2) to MVAR_REPRO_CHECK_FILE (opened O_APPEND,
 * so lines of many processes never interleave). Every string is escaped for
 * JSON here, whatever it holds (a path with quotes, backslashes, newlines or
 * bytes that are not UTF-8), so a reader never meets a broken line that the
 * library wrote whole.
 *
 * Lines are only written on first sightings (a primitive, a lock-order edge,
 * a finding), never on the hot path of a call already seen.
 */
#ifndef MVR_PRELOAD_EMIT_H
#define MVR_PRELOAD_EMIT_H

#include <stddef.h>
#include <stdint.h>

/* 3 KiB: the longest line (an edge with two call sites, four threads and four
 * gate locks, each string cut to JL_STR_MAX bytes before escaping) fits; a
 * line that would not is cut short and dropped, never written broken. */
#define JL_CAP 3072
/* Bytes of one string value taken before escaping (a path, a symbol). */
#define JL_STR_MAX 400

struct jline {
  size_t n;
  int overflow;
  char buf[JL_CAP];
};

void jl_begin(struct jline *j, const char *event);
void jl_str(struct jline *j, const char *key, const char *val);
void jl_int(struct jline *j, const char *key, long long v);
void jl_bool(struct jline *j, const char *key, int v);
/* A 64-bit value as a string of 16 hex digits (ids: JSON numbers lose bits past 2^53). */
void jl_id(struct jline *j, const char *key, uint64_t id);
void jl_ptr(struct jline *j, const char *key, const void *p);
/* "key":["id",…] and "key":[[pid,tid],…]. */
void jl_ids(struct jline *j, const char *key, const uint64_t *ids, unsigned n);
void jl_threads(struct jline *j, const char *key, const int32_t (*pid_tid)[2], unsigned n);
/* "key":{"module":"/path/of/object","addr":"0x…","sym":"name+0x…"}: the object a
 * return address lies in, and the address as that object's own link-time
 * address (runtime minus load bias: right for a non-PIE executable, a PIE
 * and a shared library alike), for addr2line to resolve afterwards. */
void jl_site(struct jline *j, const char *key, const void *ret);
/* "key":[site,…]: up to max frames of the calling stack above `site` (the
 * callers of the function that made the call), from glibc's backtrace();
 * only when a line is written, never on the hot path. */
void jl_callers(struct jline *j, const char *key, const void *site, unsigned max);
void pl_callers_warm_up(void);
/* Closes the object and writes the line (nothing when the check is off or the line overflowed). */
void jl_emit(struct jline *j);

/* The main program's path (/proc/self/exe), read once per process image. */
const char *pl_exe_path(void);

#endif
