// An epoll instance, waited on (epoll_wait) or itself watched by another
// multiplexer: it is ready when any descriptor of its interest list is
// (fdinfo "tfd:" lines), so each target is judged by the module of its kind
// and the answers are combined (multiplex.ts). A target number refers to the
// process that added it. The kernel drops a target only when its open file is
// released, so a listed target whose number is now closed (or names another
// file) is still watched through a copy the tool cannot place: not visible.
import { EPOLLIN, EPOLLOUT, EPOLLPRI, epollTargets } from '../../../procfs/fdinfo.js';
import type { FdRaw } from '../../../procfs/capture.js';
import { fdTableCut, hidden, type FdQuestion, type WaitContext, type WaitFacts } from '../types.js';
import { combine, hangupWant, type Judged } from './multiplex.js';

/** EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE (the kernel's EP_PRIVATE_BITS): how a target is delivered, not what. */
const EP_PRIVATE_BITS = (1 << 29) | (1 << 30) | (1 << 31) | (1 << 28);

/** Epolls inside epolls, at most this deep: a cycle of instances cannot recurse for ever. */
const MAX_DEPTH = 4;

export function epollReady(_ctx: WaitContext, q: FdQuestion, judge: (q: FdQuestion) => WaitFacts): WaitFacts {
  const base = { kind: 'epoll' as const, timed: false, on: `epoll (fd ${q.fd.fd})`, key: `epoll:${q.raw.pid}:${q.fd.fd}` };
  if (q.depth >= MAX_DEPTH) return hidden(base, `epoll instances nested more than ${MAX_DEPTH} deep`);
  if (!q.fd.info) return hidden(base, 'its interest list could not be read (fdinfo)');
  const judged: Judged[] = [];
  for (const t of epollTargets(q.fd.info)) {
    // A target whose events hold only these flags reports nothing, hang-ups included: an EPOLLONESHOT one fired and not re-armed.
    if (!(t.events & ~EP_PRIVATE_BITS)) continue;
    const fd = q.raw.fds?.find((x) => x.fd === t.fd);
    if (!fd) return hidden(base, `fd ${t.fd}, which it watches, is ${fdTableCut(q.raw) ? 'beyond the descriptors read' : 'no longer open under that number (its file lives on elsewhere: a dup, another process)'}`);
    if (!sameInode(fd, t.ino)) return hidden(base, `fd ${t.fd} now names another file than the one it watches (inode ${t.ino})`);
    const reads = t.events & (EPOLLIN | EPOLLPRI);
    const writes = t.events & EPOLLOUT;
    // Otherwise EPOLLHUP and EPOLLERR, which the kernel adds to every target.
    if (reads || !writes) judged.push({ fd: t.fd, facts: judge({ ...q, fd, want: reads ? 'read' : writes ? 'write' : hangupWant(fd), depth: q.depth + 1 }) });
    if (writes) judged.push({ fd: t.fd, facts: judge({ ...q, fd, want: 'write', depth: q.depth + 1 }) });
  }
  return combine(base, judged);
}

/** Whether a descriptor still names the inode the interest list recorded (where its target shows one: "pipe:[N]", "socket:[N]", a path's dev:inode); anonymous inodes share one number and are taken as they are. */
function sameInode(fd: FdRaw, ino: number): boolean {
  const shown = /^[a-z_]+:\[(\d+)\]$/.exec(fd.target)?.[1] ?? fd.object?.split(':')[1];
  return shown === undefined || Number(shown) === ino;
}
