/*
 * Text in and out of the command server (commands.c): the bounded tail of a
 * command's output, base64 for the `exit` line, and the percent-decoding of
 * `spawn` requests.
 */
#ifndef MVR_COMMAND_TEXT_H
#define MVR_COMMAND_TEXT_H

#include <stddef.h>

/* The last bytes of a command's stdout and stderr the report keeps (16 KiB each, as the CLI kept before the server). */
#define MVR_TAIL_MAX (16 * 1024)

struct mvr_tail {
  char buf[MVR_TAIL_MAX];
  size_t len;
};

/* Appends n bytes, keeping only the last MVR_TAIL_MAX. */
void mvr_tail_add(struct mvr_tail *t, const char *p, size_t n);

/* Encodes n bytes into out (room for 4 * ceil(n / 3)); returns the length written. */
size_t mvr_base64(const char *in, size_t n, char *out);

/* Percent-decodes s in place (%XX, hex either case); returns -1 on a malformed escape. */
int mvr_percent_decode(char *s);

#endif
