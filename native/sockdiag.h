// Unix socket peers, from the kernel's sock_diag netlink interface.
//
// /proc shows a socket only as "socket:[INODE]"; which socket is at the other
// end is not in /proc. The diagnosis asks here when a thread waits on a Unix
// socket, to find the processes that hold the other end (who could write to
// it, or read from it). Only sockets of the caller's network namespace are
// listed; that is the kernel's rule for sock_diag.
#ifndef MVR_SOCKDIAG_H
#define MVR_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  uint32_t inode;
  uint32_t peer; /* 0: not connected (a listener, an unconnected datagram socket) */
  uint8_t state; /* TCP_* numbering as the kernel reports it: 1 established, 10 listen, 7 close */
} mvr_unix_sock;

/* Fills up to cap entries; returns how many sockets exist (may exceed cap:
 * call again with more room), or -errno. */
long mvr_unix_sockets(mvr_unix_sock* out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
