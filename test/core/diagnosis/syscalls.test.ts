import { describe, expect, it } from 'vitest';
import { waitShape } from '../../../src/core/diagnosis/syscalls.js';

const neg1 = 0xffffffffffffffffn;

describe('waitShape', () => {
  it('reads the descriptor and direction of a blocking read, write, receive or send', () => {
    expect(waitShape(0, [3n])).toEqual({ kind: 'fd', fd: 3, want: 'read', timed: false });
    expect(waitShape(1, [4n])).toEqual({ kind: 'fd', fd: 4, want: 'write', timed: false });
    expect(waitShape(45, [5n])).toMatchObject({ kind: 'fd', want: 'read' });
    expect(waitShape(243, [6n, 0n, 0n, 0n, 0n])).toEqual({ kind: 'fd', fd: 6, want: 'read', timed: false, mqueue: true }); // mq_receive
    expect(waitShape(242, [6n, 0n, 0n, 0n, 0x7ffe0000n])).toEqual({ kind: 'fd', fd: 6, want: 'write', timed: true, mqueue: true }); // mq_timedsend
  });

  it('tells timed from untimed multiplexing, by milliseconds or by pointer, and keeps what it watches', () => {
    expect(waitShape(7, [0n, 1n, neg1])).toMatchObject({ kind: 'poll', call: 'poll', timed: false }); // poll(-1)
    expect(waitShape(7, [0n, 1n, 1000n])).toMatchObject({ kind: 'poll', timed: true });
    expect(waitShape(232, [3n, 0n, 8n, 0xffffffffn])).toEqual({ kind: 'epoll', epfd: 3, timed: false }); // epoll_wait(-1), 32-bit
    expect(waitShape(23, [1n, 0n, 0n, 0n, 0n])).toMatchObject({ kind: 'poll', call: 'select', timed: false }); // select(NULL)
    expect(waitShape(270, [1n, 0n, 0n, 0n, 0x7ffe0000n])).toMatchObject({ kind: 'poll', call: 'pselect6', timed: true });
  });

  it('knows lock, child, IPC and sleep waits', () => {
    expect(waitShape(73, [8n, 2n])).toMatchObject({ kind: 'file-lock', fd: 8, cmd: 'flock', timed: false });
    expect(waitShape(72, [8n, 7n, 0x1000n])).toEqual({ kind: 'file-lock', fd: 8, cmd: 'setlkw', flock: 0x1000n, timed: false }); // F_SETLKW
    expect(waitShape(72, [8n, 38n, 0x1000n])).toMatchObject({ kind: 'file-lock', cmd: 'ofd-setlkw' }); // F_OFD_SETLKW
    expect(waitShape(72, [8n, 6n])).toMatchObject({ kind: 'other' }); // F_SETLK does not block
    expect(waitShape(61, [neg1])).toEqual({ kind: 'child', which: -1, timed: false });
    expect(waitShape(61, [1234n])).toEqual({ kind: 'child', which: 1234, timed: false });
    expect(waitShape(247, [1n, 99n])).toEqual({ kind: 'child', which: 99, timed: false }); // waitid(P_PID, 99)
    expect(waitShape(65, [7n, 0x1000n, 2n])).toEqual({ kind: 'sysv-sem', semid: 7, sops: 0x1000n, nsops: 2, timed: false }); // semop
    expect(waitShape(70, [9n, 0n, 16n, 1n, 0n])).toMatchObject({ kind: 'sysv-msg', msqid: 9, want: 'read' }); // msgrcv
    expect(waitShape(70, [9n, 0n, 16n, 1n, 0o4000n])).toMatchObject({ kind: 'other' }); // msgrcv IPC_NOWAIT does not block
    expect(waitShape(230, [0n])).toEqual({ kind: 'sleep', timed: true });
    expect(waitShape(34, [])).toEqual({ kind: 'signal', timed: false });
  });
});
