// semop / semtimedop on a System V semaphore set. Any process with write
// permission on the set may operate on it, whoever it is: there is no
// "holder" to name, so the wait is open, never proof of a hang. What the
// kernel keeps is labelled evidence (semctl): each semaphore's value, how
// many wait for it, and the pid of the last process that operated on it.
// The operations the thread asked for are in its memory:
//   struct sembuf { unsigned short sem_num; short sem_op; short sem_flg; }  6 bytes (sys/sem.h)
import { open, type Waiter, type WaitContext, type WaitFacts } from './types.js';

const SEMBUF_SIZE = 6;
/** A semop call takes at most SEMOPM (500) operations; a blocked one names the first few. */
const MAX_OPS = 64;

interface SemOp {
  num: number;
  op: number;
}

function opsOf(ctx: WaitContext, w: Waiter, sops: bigint, nsops: number): SemOp[] | null {
  const n = Math.min(nsops, MAX_OPS);
  const b = n > 0 ? ctx.probe.readMemory(w.raw.pid, sops, n * SEMBUF_SIZE) : null;
  if (!b) return null;
  return Array.from({ length: n }, (_, i) => ({ num: b.readUInt16LE(i * SEMBUF_SIZE), op: b.readInt16LE(i * SEMBUF_SIZE + 2) }));
}

export function sysvSemWait(ctx: WaitContext, w: Waiter, shape: { semid: number; sops: bigint; nsops: number; timed: boolean }): WaitFacts {
  const set = ctx.probe.semSet(shape.semid);
  const ops = opsOf(ctx, w, shape.sops, shape.nsops);
  const notes: string[] = [];
  let blocking: SemOp | undefined;
  if ('error' in set) notes.push(`semaphore set ${shape.semid}: ${set.error}`);
  if (ops && !('error' in set)) {
    // The operation that cannot proceed: one that would take the value below zero, or waits for zero.
    blocking = ops.find((o) => (o.op < 0 && (set.values[o.num] ?? 0) < -o.op) || (o.op === 0 && (set.values[o.num] ?? 0) !== 0)) ?? ops[0];
    for (const o of ops.slice(0, 4)) {
      const last = set.pids[o.num] ?? 0;
      const lastWho = last > 0 ? `${ctx.label(last)}${ctx.probe.thread(last).alive ? '' : ', gone'}` : 'none yet';
      notes.push(
        `semaphore ${shape.semid}[${o.num}]: value ${set.values[o.num] ?? '?'}, wants ${o.op < 0 ? `to take ${-o.op}` : o.op === 0 ? 'it to reach zero' : `to add ${o.op}`}; ${set.ncnt[o.num] ?? '?'} waiting for it to grow, ${set.zcnt[o.num] ?? '?'} for zero; last operated on by ${lastWho} (the kernel's sempid, evidence not proof)`,
      );
    }
  } else if (!ops) notes.push('the operations it asked for could not be read (its memory needs ptrace access)');
  const which = blocking ? `${shape.semid}[${blocking.num}]` : `${shape.semid}`;
  const lastPid = blocking && !('error' in set) ? (set.pids[blocking.num] ?? 0) : 0;
  return open(
    {
      kind: 'sysv-sem',
      timed: shape.timed,
      on: `System V semaphore ${which}${blocking ? (blocking.op < 0 ? ' (waits for it to grow)' : blocking.op === 0 ? ' (waits for zero)' : '') : ''}`,
      key: `sysv-sem:${which}`,
    },
    'any process with write permission on the semaphore set (System V semaphores have no holder to name)',
    { notes, ...(lastPid > 0 ? { lastOperator: { pid: lastPid, tid: null } } : {}) },
  );
}
