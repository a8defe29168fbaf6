/*
 * JSON lines of the check (see emit.h): escaping, call sites, the write.
 */
#define _GNU_SOURCE
#include "emit.h"

#include "preload.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void put(struct jline *j, const char *s, size_t n) {
  if (j->overflow || j->n + n >= JL_CAP) {
    j->overflow = 1;
    return;
  }
  memcpy(j->buf + j->n, s, n);
  j->n += n;
}

static void puts_(struct jline *j, const char *s) { put(j, s, strlen(s)); }

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
  if (!len || len > n) return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  /* Overlong 3- and 4-byte forms, surrogates and code points past U+10FFFF. */
  if (c == 0xE0 && s[1] < 0xA0) return 0;
  if (c == 0xED && s[1] >= 0xA0) return 0;
  if (c == 0xF0 && s[1] < 0x90) return 0;
  if (c == 0xF4 && s[1] >= 0x90) return 0;
  return len;
}

/* A JSON string: quotes, backslashes and control characters escaped; a byte
 * that does not start valid UTF-8 becomes U+FFFD (JSON text is UTF-8). */
static void quoted(struct jline *j, const char *val) {
  put(j, "\"", 1);
  const unsigned char *s = (const unsigned char *)(val ? val : "");
  size_t n = strnlen((const char *)s, JL_STR_MAX);
  for (size_t i = 0; i < n;) {
    unsigned char c = s[i];
    char esc[8];
    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
      put(j, esc, 2);
      i++;
    } else if (c < 0x20 || c == 0x7f) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      put(j, esc, 6);
      i++;
    } else if (c < 0x80) {
      put(j, (const char *)&s[i], 1);
      i++;
    } else {
      size_t len = utf8_len(&s[i], n - i);
      if (len) {
        put(j, (const char *)&s[i], len);
        i += len;
      } else {
        puts_(j, "\\ufffd");
        i++;
      }
    }
  }
  put(j, "\"", 1);
}

static void key(struct jline *j, const char *k) {
  if (j->n && j->buf[j->n - 1] != '{' && j->buf[j->n - 1] != '[') put(j, ",", 1);
  put(j, "\"", 1);
  puts_(j, k);
  put(j, "\":", 2);
}

void jl_begin(struct jline *j, const char *event) {
  j->n = 0;
  j->overflow = 0;
  put(j, "{", 1);
  jl_str(j, "event", event);
}

void jl_str(struct jline *j, const char *k, const char *val) {
  key(j, k);
  quoted(j, val);
}

void jl_int(struct jline *j, const char *k, long long v) {
  char b[24];
  key(j, k);
  int n = snprintf(b, sizeof b, "%lld", v);
  put(j, b, (size_t)n);
}

void jl_bool(struct jline *j, const char *k, int v) {
  key(j, k);
  puts_(j, v ? "true" : "false");
}

void jl_id(struct jline *j, const char *k, uint64_t id) {
  char b[24];
  key(j, k);
  int n = snprintf(b, sizeof b, "\"%016llx\"", (unsigned long long)id);
  put(j, b, (size_t)n);
}

void jl_ptr(struct jline *j, const char *k, const void *p) {
  char b[24];
  key(j, k);
  int n = snprintf(b, sizeof b, "\"0x%llx\"", (unsigned long long)(uintptr_t)p);
  put(j, b, (size_t)n);
}

void jl_ids(struct jline *j, const char *k, const uint64_t *ids, unsigned n) {
  key(j, k);
  put(j, "[", 1);
  for (unsigned i = 0; i < n; i++) {
    char b[24];
    int len = snprintf(b, sizeof b, "%s\"%016llx\"", i ? "," : "", (unsigned long long)ids[i]);
    put(j, b, (size_t)len);
  }
  put(j, "]", 1);
}

void jl_threads(struct jline *j, const char *k, const int32_t (*pid_tid)[2], unsigned n) {
  key(j, k);
  put(j, "[", 1);
  for (unsigned i = 0; i < n; i++) {
    char b[32];
    int len = snprintf(b, sizeof b, "%s[%d,%d]", i ? "," : "", (int)pid_tid[i][0], (int)pid_tid[i][1]);
    put(j, b, (size_t)len);
  }
  put(j, "]", 1);
}

/* A fork child runs the same file, so the path is read once per process image (exec starts afresh). */
static char exe[512];

const char *pl_exe_path(void) {
  if (!exe[0]) {
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
  }
  return exe;
}

static void jl_site_value(struct jline *j, const void *ret) {
  Dl_info info;
  struct link_map *lm = NULL;
  put(j, "{", 1);
  if (ret && dladdr1(ret, &info, (void **)&lm, RTLD_DL_LINKMAP) && lm) {
    /* The main program's link map has an empty name. */
    jl_str(j, "module", lm->l_name && lm->l_name[0] ? lm->l_name : pl_exe_path());
    jl_ptr(j, "addr", (const void *)((uintptr_t)ret - (uintptr_t)lm->l_addr));
    if (info.dli_sname) {
      char sym[JL_STR_MAX + 24];
      snprintf(sym, sizeof sym, "%.*s+0x%lx", JL_STR_MAX, info.dli_sname, (unsigned long)((const char *)ret - (const char *)info.dli_saddr));
      jl_str(j, "sym", sym);
    }
  } else {
    jl_str(j, "module", "");
    jl_ptr(j, "addr", ret);
  }
  put(j, "}", 1);
}

void jl_site(struct jline *j, const char *k, const void *ret) {
  key(j, k);
  jl_site_value(j, ret);
}

/* The base address of this library: frames inside it are the wrappers', not the program's. */
static const void *self_base(void) {
  static const void *base;
  Dl_info info;
  if (!base && dladdr((const void *)&self_base, &info)) base = info.dli_fbase;
  return base;
}

void jl_callers(struct jline *j, const char *k, const void *site, unsigned max) {
  void *frames[24];
  int n = backtrace(frames, 24);
  unsigned out = 0;
  int seen_site = 0;
  key(j, k);
  put(j, "[", 1);
  for (int i = 0; i < n && out < max; i++) {
    Dl_info info;
    if (dladdr(frames[i], &info) && info.dli_fbase == self_base()) continue;
    /* The first frame outside the library is the call site itself (its return address). */
    if (!seen_site) {
      seen_site = 1;
      if (frames[i] == site) continue;
    }
    if (out++) put(j, ",", 1);
    jl_site_value(j, frames[i]);
  }
  put(j, "]", 1);
}

void pl_callers_warm_up(void) {
  /* The first backtrace() loads the unwinder (a dlopen): done here, at start-up, not inside a lock call. */
  void *frames[2];
  (void)backtrace(frames, 2);
}

void jl_emit(struct jline *j) {
  put(j, "}\n", 2);
  if (j->overflow || pl.check_fd < 0) return;
  ssize_t w = write(pl.check_fd, j->buf, j->n);
  (void)w;
}
