// The lock-order graph on lines recorded from real runs of test/c/lockorder.c
// (test/fixtures/check-lines, made by record-check-lines.mjs): which cycles
// can deadlock, and that each rule that keeps a cycle out is the one doing it
// (the same lines with that rule's evidence taken away do report it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLibraryLines, type LibraryLines } from '../../../src/core/preload/lines.js';
import { lockCycles } from '../../../src/core/preload/lock-graph.js';

const recorded = (name: string): LibraryLines => parseLibraryLines(readFileSync(new URL(`../../fixtures/check-lines/${name}.ndjson`, import.meta.url), 'utf8'));

describe('lock-order cycles', () => {
  it('a parent taking A then B and its child B then A: one cycle, told from the parent, each order by its own process', () => {
    const lines = recorded('abba');
    expect(lines.skipped).toBe(0);
    const cycles = lockCycles(lines);
    expect(cycles).toHaveLength(1);
    const [c] = cycles;
    expect(c!.hops).toHaveLength(2);
    expect(c!.hops[0]!.pid).toBeLessThan(c!.hops[1]!.pid);
    expect(c!.hops[0]!.held).toBe(c!.hops[1]!.wants);
    expect(c!.hops[1]!.held).toBe(c!.hops[0]!.wants);
    expect(new Set(c!.locks)).toEqual(new Set([c!.hops[0]!.held, c!.hops[1]!.held]));
  });

  it('one order everywhere: no cycle', () => {
    expect(lockCycles(recorded('one-order'))).toEqual([]);
  });

  it('both orders always under a common gate lock (shared across processes, or a private one in one process): no cycle — and without the gates, there is one', () => {
    for (const name of ['gated', 'gated-threads']) {
      const lines = recorded(name);
      expect(lockCycles(lines), name).toEqual([]);
      const ungated = { ...lines, edges: lines.edges.map((e) => ({ ...e, gates: [] })) };
      expect(lockCycles(ungated), `${name} without its gates`).toHaveLength(1);
    }
  });

  it('one thread taking both orders cannot deadlock with itself: no cycle — and the same edges by two threads are one', () => {
    const lines = recorded('one-thread');
    expect(lockCycles(lines)).toEqual([]);
    const [first, ...rest] = lines.edges;
    const twoThreads = { ...lines, edges: [{ ...first!, threads: [[first!.threads[0]![0], first!.threads[0]![1] + 1]] as [number, number][] }, ...rest] };
    expect(lockCycles(twoThreads)).toHaveLength(1);
  });

  it('two threads of one process in opposite orders: a cycle between its threads', () => {
    const [c] = lockCycles(recorded('threads-abba'));
    expect(c!.hops[0]!.pid).toBe(c!.hops[1]!.pid);
    expect(c!.hops[0]!.tid).not.toBe(c!.hops[1]!.tid);
  });

  it('a cycle of three locks through three processes', () => {
    const cycles = lockCycles(recorded('three'));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.hops).toHaveLength(3);
    expect(new Set(cycles[0]!.hops.map((h) => h.pid)).size).toBe(3);
  });

  it('timed waits: still a cycle, marked timed', () => {
    const [c] = lockCycles(recorded('timed'));
    expect(c!.hops.every((h) => h.timed)).toBe(true);
  });

  it('file locks: fcntl and flock orders across processes are cycles; POSIX record locks in two threads of one process are not (the process owns them) — unless they were thread-owned', () => {
    expect(lockCycles(recorded('file-abba'))).toHaveLength(1);
    expect(lockCycles(recorded('flock-abba'))).toHaveLength(1);
    const threads = recorded('file-threads');
    expect(lockCycles(threads)).toEqual([]);
    expect(lockCycles({ ...threads, edges: threads.edges.map((e) => ({ ...e, fromProcessOwned: false, toProcessOwned: false })) })).toHaveLength(1);
  });

  it('semaphores: two used as locks in opposite orders are a cycle; one used as a signal (posted by another process) is not a lock — until its poster is its taker', () => {
    expect(lockCycles(recorded('sem-abba'))).toHaveLength(1);
    const signal = recorded('sem-signal');
    expect(signal.semPosts.some((p) => !p.holder)).toBe(true);
    expect(lockCycles(signal)).toEqual([]);
    expect(lockCycles({ ...signal, semPosts: signal.semPosts.map((p) => ({ ...p, holder: true })) })).toHaveLength(1);
  });

  it('read holds on both sides of a lock do not block each other: no cycle through it', () => {
    const lines = recorded('abba');
    const reads = { ...lines, edges: lines.edges.map((e) => ({ ...e, fromMode: 'read' as const, toMode: 'read' as const })) };
    expect(lockCycles(reads)).toEqual([]);
  });
});
