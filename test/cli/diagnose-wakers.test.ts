// At the edge of who can end a wait (test/c/wakers.c). Wakers that are easy
// to miss: a signal handler that posts what its own process waits for, a
// process sharing the waiter's address space through clone(CLONE_VM), a
// hang-up on a polled descriptor, a poll() on more descriptors than the tool
// reads; each would be a false "stuck for good" if overlooked. And wakers
// that are not there: a one-shot epoll target never re-armed, a cleanup
// handler, a wake sent to a private condvar from another process; each would
// be a missed hang if imagined.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseBoth, staged, type Staged } from '../staged.js';

let wakers: Staged;
beforeAll(async () => {
  wakers = await staged('wakers.c');
});
afterAll(async () => {
  await wakers.stopAll();
});

const threadsOf = (d: Awaited<ReturnType<typeof diagnoseBoth>>['d'], pid: number) => d.processes.find((p) => p.pid === pid)!.threads;

describe('a waker the tool must see', () => {
  it('a semaphore its own SIGUSR1 handler posts: open to a signal, no finding; the signal then ends it', async () => {
    const [pid] = await wakers.start('handler-sem');
    const { code, d } = await diagnoseBoth([pid!]);
    expect(d.findings, JSON.stringify(d.findings)).toEqual([]);
    expect(code).toBe(0);
    const [t] = threadsOf(d, pid!);
    expect(t!.verdict!.kind).toBe('waiting');
    expect(t!.wait).toMatchObject({ kind: 'futex', reach: 'open' });
    expect(t!.wait!.wakersAre).toMatch(/handler of SIGUSR1/);
    // The claim checked: the signal does end the wait (the program returns 0 from sem_wait's loop).
    process.kill(pid!, 'SIGUSR1');
    await expect.poll(() => execa('kill', ['-0', String(pid)], { reject: false }).then((r) => r.exitCode), { timeout: 5000 }).not.toBe(0);
  });

  it('a daemon idle on a self-pipe its own SIGTERM handler writes: waiting to be told to stop, no finding; SIGTERM then ends it with exit 0', async () => {
    const [pid] = await wakers.start('term-self-pipe');
    const { code, d } = await diagnoseBoth([pid!]);
    expect(d.findings, JSON.stringify(d.findings)).toEqual([]);
    expect(code).toBe(0);
    const [t] = threadsOf(d, pid!);
    expect(t!.wait).toMatchObject({ kind: 'pipe', reach: 'open', wakersAre: expect.stringMatching(/handler of SIGTERM/) });
    process.kill(pid!, 'SIGTERM');
    await expect.poll(() => execa('kill', ['-0', String(pid)], { reject: false }).then((r) => r.exitCode), { timeout: 5000 }).not.toBe(0);
  });

  it('a private semaphore of a clone(CLONE_VM) process: its parent shares the address space and can post it', async () => {
    const [waiter, parent] = await wakers.start('clone-vm-fed');
    const { code, d } = await diagnoseBoth([waiter!, parent!]);
    expect(d.findings, JSON.stringify(d.findings)).toEqual([]);
    expect(code).toBe(0);
    const [t] = threadsOf(d, waiter!);
    expect(t!.verdict!.kind).toBe('waiting');
    // Unless the parent's post (every 5 s) fell between the samples, the parent is named as the waker.
    if (t!.wait?.wakers) expect(t!.wait.wakers).toContainEqual({ pid: parent, tid: null });
  });

  it('poll() for no event on a pipe, to learn when its writer goes: waiting on the writer, no finding', async () => {
    const [poller, writer] = await wakers.start('poll-hangup');
    const { code, d } = await diagnoseBoth([poller!, writer!]);
    expect(d.findings, JSON.stringify(d.findings)).toEqual([]);
    expect(code).toBe(0);
    expect(threadsOf(d, poller!)[0]!.wait!.wakers).toContainEqual({ pid: writer, tid: null });
  });

  it("poll() for no event on a pipe's write end, to learn when its reader goes: waiting on the reader, no finding", async () => {
    const [poller, reader] = await wakers.start('poll-write-end');
    const { code, d } = await diagnoseBoth([poller!, reader!]);
    expect(d.findings, JSON.stringify(d.findings)).toEqual([]);
    expect(code).toBe(0);
    expect(threadsOf(d, poller!)[0]!.wait!.wakers).toContainEqual({ pid: reader, tid: null });
  });

  it('two clone(CLONE_VM) siblings whose parent exec\'d: one posts the private semaphore the other waits on, no finding', async () => {
    const [waiter, poster] = await wakers.start('vm-siblings');
    const { code, d } = await diagnoseBoth([waiter!, poster!]);
    expect(d.findings, JSON.stringify(d.findings)).toEqual([]);
    expect(code).toBe(0);
    const [t] = threadsOf(d, waiter!);
    if (t!.wait?.wakers) expect(t!.wait.wakers).toContainEqual({ pid: poster, tid: null });
  });

  it('poll() on 4097 entries, the last a pipe a live child feeds: not visible (past what is read), never stuck', async () => {
    const [poller] = await wakers.start('poll-many');
    const { code, d } = await diagnoseBoth([poller!]);
    expect(d.findings, JSON.stringify(d.findings)).toEqual([]);
    expect(code).toBe(0);
    const [t] = threadsOf(d, poller!);
    if (t!.verdict!.kind !== 'runs') expect(t!.wait).toMatchObject({ kind: 'poll', reach: 'hidden', wakersAre: expect.stringMatching(/4097 descriptors/) });
  });
});

describe('no waker where one might be imagined', () => {
  it('epoll on a target added with EPOLLONESHOT that fired and was never re-armed: stuck for good, though its writer lives', async () => {
    const [poller, writer] = await wakers.start('oneshot-disarmed');
    const { code, d } = await diagnoseBoth([poller!, writer!]);
    expect(code).toBe(1);
    expect(d.findings.map((f) => [f.kind, f.pids])).toEqual([['no-waker', [poller]]]);
  });

  it('a process-shared semaphore an exited child took, its waiter cleaning up on SIGTERM: stuck for good (a cleanup handler posts nothing shared)', async () => {
    const [pid] = await wakers.start('shared-sem-term');
    const { code, d } = await diagnoseBoth([pid!]);
    expect(code).toBe(1);
    expect(d.findings.map((f) => f.kind)).toEqual(['no-waker']);
    expect(d.proven).toBe(true);
  });

  it('a private condvar in shared memory signalled by a child, its waiter beside an idle thread: private-futex-on-shared-memory, the lost wake as evidence', async () => {
    const [waiter] = await wakers.start('private-cond-lost');
    await new Promise((r) => setTimeout(r, 1200)); // the child has signalled at least once
    const { code, d } = await diagnoseBoth([waiter!]);
    expect(code).toBe(1);
    const f = d.findings.find((x) => x.kind === 'private-futex-on-shared-memory')!;
    expect(f.pids).toEqual([waiter]);
    expect(f.evidence.join('\n')).toMatch(/a wake was sent and did not reach it/);
  });
});
