// poll, ppoll, select, pselect6: the descriptor set is in the caller's
// memory, read through /proc/PID/mem (which needs ptrace access); each
// descriptor is judged by its own module and the answers combined.
//   struct pollfd { int fd; short events; short revents; }   8 bytes (poll.h)
//   fd_set: FD_SETSIZE (1024) bits, bit n = descriptor n  (sys/select.h)
import { fdWait } from './fds/index.js';
import { combine, hangupWant, type Judged } from './fds/multiplex.js';
import { fdTableCut, hidden, type Waiter, type Want, type WaitContext, type WaitFacts } from './types.js';

const POLLFD_SIZE = 8;
const POLLIN = 0x1;
const POLLPRI = 0x2;
const POLLOUT = 0x4;
/** A poll of more descriptors than this is judged on its first ones (and says so). */
const MAX_FDS = 4096;
const FD_SETSIZE = 1024;

type Call = 'poll' | 'ppoll' | 'select' | 'pselect6';

/** (fd, what it waits for) pairs from the caller's memory; null when unreadable, 'too-many' past what the tool reads. */
function watched(ctx: WaitContext, w: Waiter, call: Call, args: bigint[]): { fd: number; want: Want | 'hangup' }[] | null | 'too-many' {
  const pid = w.raw.pid;
  if (call === 'poll' || call === 'ppoll') {
    if (Number(args[1] ?? 0n) > MAX_FDS) return 'too-many';
    const n = Number(args[1] ?? 0n);
    if (n === 0) return [];
    const b = ctx.probe.readMemory(pid, args[0] ?? 0n, n * POLLFD_SIZE);
    if (!b) return null;
    const out: { fd: number; want: Want | 'hangup' }[] = [];
    for (let i = 0; i < n; i++) {
      const fd = b.readInt32LE(i * POLLFD_SIZE);
      const ev = b.readInt16LE(i * POLLFD_SIZE + 4);
      if (fd < 0) continue;
      if (ev & (POLLIN | POLLPRI)) out.push({ fd, want: 'read' });
      if (ev & POLLOUT) out.push({ fd, want: 'write' });
      // With neither, it still wakes on a hang-up or an error (POLLHUP, POLLERR are always reported).
      if (!(ev & (POLLIN | POLLPRI | POLLOUT))) out.push({ fd, want: 'hangup' });
    }
    return out;
  }
  const nfds = Math.min(Number(args[0] ?? 0n), FD_SETSIZE);
  const bytes = Math.ceil(nfds / 64) * 8;
  const out: { fd: number; want: Want | 'hangup' }[] = [];
  for (const [i, want] of [[1, 'read'], [2, 'write'], [3, 'read']] as const) {
    const ptr = args[i] ?? 0n;
    if (ptr === 0n || bytes === 0) continue;
    const b = ctx.probe.readMemory(pid, ptr, bytes);
    if (!b) return null;
    for (let fd = 0; fd < nfds; fd++) if (b[fd >> 3]! & (1 << (fd & 7))) out.push({ fd, want });
  }
  return out;
}

export function pollWait(ctx: WaitContext, w: Waiter, shape: { call: Call; args: bigint[]; timed: boolean }): WaitFacts {
  const base = { kind: 'poll' as const, timed: shape.timed, on: shape.call, key: `${shape.call}:${w.raw.pid}:${w.tid}` };
  const set = watched(ctx, w, shape.call, shape.args);
  if (set === 'too-many') return hidden(base, `it watches ${shape.args[1]} descriptors, more than the ${MAX_FDS} the tool reads`);
  if (!set) return hidden(base, `the descriptors it watches are in its memory, which could not be read (/proc/${w.raw.pid}/mem needs ptrace access)`);
  const judged: Judged[] = [];
  for (const { fd, want } of set) {
    const raw = w.raw.fds?.find((x) => x.fd === fd);
    // A watched descriptor the capture does not have: its table was cut short or unreadable, or it was closed meanwhile.
    if (!raw) return hidden(base, `fd ${fd}, which it watches, is not among the descriptors read${!w.raw.fds ? ' (they could not be read)' : fdTableCut(w.raw) ? ' (only the first of its descriptors were read)' : ' (closed meanwhile?)'}`);
    judged.push({ fd, facts: fdWait(ctx, { raw: w.raw, tid: w.tid, fd: raw, want: want === 'hangup' ? hangupWant(raw) : want, depth: 0 }) });
  }
  const facts = combine(base, judged);
  if (!shape.timed) return facts;
  // A timeout is not a periodic timer: the wait ends by itself, whatever else could end it.
  return { ...facts, timed: true, periodic: undefined, ifQuiet: undefined, wakersAre: `its own timeout; else ${facts.wakersAre}` };
}
