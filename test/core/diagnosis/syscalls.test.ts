import { describe, expect, it } from 'vitest';
import { waitShape } from '../../../src/core/diagnosis/syscalls.js';

const neg1 = 0xffffffffffffffffn;

describe('waitShape', () => {
  it('reads the descriptor and direction of a blocking read or write', () => {
    expect(waitShape(0, [3n])).toEqual({ kind: 'fd', fd: 3, direction: 'read', timed: false });
    expect(waitShape(1, [4n])).toEqual({ kind: 'fd', fd: 4, direction: 'write', timed: false });
    expect(waitShape(45, [5n])).toMatchObject({ kind: 'fd', direction: 'read' });
  });

  it('tells timed from untimed multiplexing, by milliseconds or by pointer', () => {
    expect(waitShape(7, [0n, 1n, neg1])).toEqual({ kind: 'multiplex', timed: false }); // poll(-1)
    expect(waitShape(7, [0n, 1n, 1000n])).toEqual({ kind: 'multiplex', timed: true });
    expect(waitShape(232, [3n, 0n, 8n, 0xffffffffn])).toEqual({ kind: 'multiplex', timed: false }); // epoll_wait(-1), 32-bit
    expect(waitShape(23, [1n, 0n, 0n, 0n, 0n])).toEqual({ kind: 'multiplex', timed: false }); // select(NULL)
    expect(waitShape(270, [1n, 0n, 0n, 0n, 0x7ffe0000n])).toEqual({ kind: 'multiplex', timed: true });
  });

  it('knows lock, child and sleep waits', () => {
    expect(waitShape(73, [8n, 2n])).toEqual({ kind: 'file-lock', fd: 8, timed: false });
    expect(waitShape(72, [8n, 7n])).toEqual({ kind: 'file-lock', fd: 8, timed: false }); // F_SETLKW
    expect(waitShape(72, [8n, 6n])).toMatchObject({ kind: 'other' }); // F_SETLK does not block
    expect(waitShape(61, [neg1])).toEqual({ kind: 'child', which: -1, timed: false });
    expect(waitShape(61, [1234n])).toEqual({ kind: 'child', which: 1234, timed: false });
    expect(waitShape(247, [1n, 99n])).toEqual({ kind: 'child', which: 99, timed: false }); // waitid(P_PID, 99)
    expect(waitShape(230, [0n])).toEqual({ kind: 'sleep', timed: true });
    expect(waitShape(34, [])).toEqual({ kind: 'signal', timed: false });
  });
});
