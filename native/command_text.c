/* See command_text.h. */
#include "command_text.h"

#include <string.h>

void mvr_tail_add(struct mvr_tail *t, const char *p, size_t n) {
  if (n >= MVR_TAIL_MAX) {
    memcpy(t->buf, p + n - MVR_TAIL_MAX, MVR_TAIL_MAX);
    t->len = MVR_TAIL_MAX;
    return;
  }
  if (t->len + n > MVR_TAIL_MAX) {
    size_t drop = t->len + n - MVR_TAIL_MAX;
    memmove(t->buf, t->buf + drop, t->len - drop);
    t->len -= drop;
  }
  memcpy(t->buf + t->len, p, n);
  t->len += n;
}

size_t mvr_base64(const char *in, size_t n, char *out) {
  static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char *p = (const unsigned char *)in;
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    out[o++] = a[v >> 18 & 63];
    out[o++] = a[v >> 12 & 63];
    out[o++] = i + 1 < n ? a[v >> 6 & 63] : '=';
    out[o++] = i + 2 < n ? a[v & 63] : '=';
  }
  return o;
}

static int unhex(int c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

int mvr_percent_decode(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    if (*r != '%') {
      *w++ = *r;
      continue;
    }
    int hi = unhex(r[1]), lo = hi < 0 ? -1 : unhex(r[2]);
    if (lo < 0) return -1;
    *w++ = (char)(hi << 4 | lo);
    r += 2;
  }
  *w = '\0';
  return 0;
}
