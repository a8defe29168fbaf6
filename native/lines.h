/*
 * Lines on stdout, as the servers (forkserver.c, commands.c) answer their
 * client: each line one write(2) of at most the buffer, never stdio, so
 * nothing is buffered twice across a fork and lines below PIPE_BUF from
 * several processes sharing the pipe never interleave.
 */
#ifndef MVR_LINES_H
#define MVR_LINES_H

#include <stddef.h>

/* Writes all of buf to stdout; returns -1 when the reader is gone (EPIPE, with SIGPIPE ignored). */
int mvr_out_write(const char *buf, size_t n);

/* One line of at most 510 characters (longer is cut), newline added. */
int mvr_out_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
