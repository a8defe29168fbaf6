// See sockdiag.h. One SOCK_DIAG_BY_FAMILY dump request for AF_UNIX with
// UDIAG_SHOW_PEER; the reply is a run of unix_diag_msg records, each with
// optional attributes, of which only UNIX_DIAG_PEER (a u32 inode) is read.
#include "sockdiag.h"

#include <errno.h>
#include <stdlib.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

long mvr_unix_sockets(mvr_unix_sock* out, size_t cap) {
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return -errno;
  struct {
    struct nlmsghdr nlh;
    struct unix_diag_req req;
  } msg;
  memset(&msg, 0, sizeof msg);
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.req.sdiag_family = AF_UNIX;
  msg.req.udiag_states = ~0u;
  msg.req.udiag_show = UDIAG_SHOW_PEER;
  struct sockaddr_nl nladdr = {.nl_family = AF_NETLINK};
  if (sendto(fd, &msg, sizeof msg, 0, (struct sockaddr*)&nladdr, sizeof nladdr) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  long n = 0;
  // 32 KiB holds a few hundred records; a dump comes in as many reads as it
  // needs. On the heap: as static TLS it would cost every thread of every
  // program this code is linked into 32 KiB of stack (Node starts a 32 KiB
  // thread that then fails to start).
  enum { BUF = 32768 };
  char* buf = malloc(BUF);
  if (!buf) {
    close(fd);
    return -ENOMEM;
  }
  long rc = 0;
  for (int done = 0; !done;) {
    ssize_t got = recv(fd, buf, BUF, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      rc = -errno;
      break;
    }
    if (got == 0) break;
    for (struct nlmsghdr* h = (struct nlmsghdr*)buf; NLMSG_OK(h, (size_t)got); h = NLMSG_NEXT(h, got)) {
      if (h->nlmsg_type == NLMSG_DONE) {
        done = 1;
        break;
      }
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr* err = NLMSG_DATA(h);
        rc = err->error ? err->error : -EIO;
        done = 1;
        break;
      }
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
      struct unix_diag_msg* m = NLMSG_DATA(h);
      uint32_t peer = 0;
      int len = h->nlmsg_len - NLMSG_LENGTH(sizeof *m);
      for (struct rtattr* a = (struct rtattr*)(m + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(a) >= sizeof(uint32_t)) memcpy(&peer, RTA_DATA(a), sizeof peer);
      if ((size_t)n < cap) out[n] = (mvr_unix_sock){.inode = m->udiag_ino, .peer = peer, .state = m->udiag_state};
      n++;
    }
  }
  close(fd);
  free(buf);
  return rc ? rc : n;
}
