// Which caught signals count as a way to end a process's own wait
// (src/core/diagnosis/signals.ts), on the SigCgt masks of real processes
// (/proc/PID/status, recorded on Linux 6.x x86_64).
import { describe, expect, it } from 'vitest';
import { caughtSignals, catchesSigchld, notifyingSignals } from '../../../src/core/diagnosis/signals.js';

const status = (cgt: string) => `Name:\tx\nState:\tS (sleeping)\nSigIgn:\t0000000000000006\nSigCgt:\t${cgt}\n`;

describe('signal handlers that could end a wait', () => {
  it('a C program with a SIGUSR1 handler (test/c/wakers.c handler-sem): SIGUSR1', () => {
    expect(caughtSignals(status('0000000000000200'))).toEqual([10]);
    expect(notifyingSignals(caughtSignals(status('0000000000000200')), false)).toEqual(['SIGUSR1']);
  });

  it('node 20 idle: SIGUSR1 (its inspector) counts, SIGTERM only for an object no other process holds; SIGINT, SIGSEGV and glibc 33 never', () => {
    expect(caughtSignals(status('0000000100004602'))).toEqual([2, 10, 11, 15, 33]);
    expect(notifyingSignals(caughtSignals(status('0000000100004602')), true)).toEqual(['SIGUSR1', 'SIGTERM']);
    expect(notifyingSignals(caughtSignals(status('0000000100004602')), false)).toEqual(['SIGUSR1']);
  });

  it('python3 catching only SIGINT (KeyboardInterrupt): none', () => {
    expect(notifyingSignals(caughtSignals(status('0000000000000002')), true)).toEqual([]);
  });

  it("bash with `trap … TERM` waiting for a child: SIGTERM only for an object no other process holds, and SIGCHLD is the children's", () => {
    expect(notifyingSignals(caughtSignals(status('0000000000014000')), true)).toEqual(['SIGTERM']);
    expect(notifyingSignals(caughtSignals(status('0000000000014000')), false)).toEqual([]);
    expect(catchesSigchld(caughtSignals(status('0000000000014000')))).toBe(true);
  });

  it('real-time signals are named from SIGRTMIN as glibc numbers them (34)', () => {
    expect(notifyingSignals(caughtSignals(status('0000000600000000')), false)).toEqual(['SIGRTMIN+0', 'SIGRTMIN+1']);
  });

  it('no status, or a mask that is not hex: nothing caught', () => {
    expect(caughtSignals(null)).toEqual([]);
    expect(caughtSignals(status('zz'))).toEqual([]);
  });
});
