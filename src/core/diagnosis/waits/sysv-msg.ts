// msgrcv / msgsnd on a System V message queue: any process with permission
// may send (or receive), so the wait is open; the kernel's last sender and
// receiver and the queue's length are labelled evidence (msgctl IPC_STAT).
import { open, type Waiter, type WaitContext, type WaitFacts } from './types.js';

export function sysvMsgWait(ctx: WaitContext, _w: Waiter, shape: { msqid: number; want: 'read' | 'write' }): WaitFacts {
  const q = ctx.probe.msgQueue(shape.msqid);
  const who = (pid: number) => (pid > 0 ? `${ctx.label(pid)}${ctx.probe.thread(pid).alive ? '' : ', gone'}` : 'none yet');
  const notes =
    'error' in q
      ? [`message queue ${shape.msqid}: ${q.error}`]
      : [`message queue ${shape.msqid}: ${q.qnum} message(s) queued, ${q.qbytes} bytes of room; last sender ${who(q.lspid)}, last receiver ${who(q.lrpid)} (evidence, not proof)`];
  const last = 'error' in q ? 0 : shape.want === 'read' ? q.lspid : q.lrpid;
  return open(
    { kind: 'sysv-msg', timed: false, on: `System V message queue ${shape.msqid}, ${shape.want === 'read' ? 'receiving (no message of the wanted type)' : 'sending (full)'}`, key: `sysv-msg:${shape.msqid}:${shape.want}` },
    `any process with permission to ${shape.want === 'read' ? 'send to' : 'receive from'} the queue`,
    { notes, ...(last > 0 ? { lastOperator: { pid: last, tid: null } } : {}) },
  );
}
