// The diff's normal form and verdict, on the recorded baseline run and on a
// copy of it whose trace stops early (what a hung process leaves).
import { describe, expect, it } from 'vitest';
import { diffRuns, normaliseOps } from '../../../src/core/trace/diff.js';
import { byProcess } from '../../../src/core/trace/stats.js';
import { baseline } from '../recorded.js';

describe('normaliseOps', () => {
  const { events } = baseline();
  const slaves = [...byProcess(events).values()].filter((e) => e[0]!.role === 'slave');

  it('gives every completed take and every completed put of every slave one shape, whatever the scheduling', () => {
    const shapes = new Map<string, Set<string>>();
    for (const evs of slaves)
      for (const o of normaliseOps(evs)) shapes.set(o.op, (shapes.get(o.op) ?? new Set()).add(o.phases.join(' ')));
    expect([...shapes.keys()].sort()).toEqual(['put', 'take']);
    for (const set of shapes.values()) {
      expect(set.size).toBe(1);
      const shape = [...set][0]!;
      expect(shape.startsWith('enter')).toBe(true);
      expect(shape.endsWith('done')).toBe(true);
      expect(shape).not.toMatch(/timeout|wait-begin/);
    }
  });

  it('keeps a wait that never ended', () => {
    const evs = slaves[0]!;
    const cut = evs.findIndex((e) => e.phase === 'wait-begin');
    if (cut < 0) return; // this slave never waited: nothing to cut
    const ops = normaliseOps(evs.slice(0, cut + 1));
    expect(ops.at(-1)!.phases.at(-1)).toBe('wait-begin');
  });
});

describe('diffRuns', () => {
  const { report, events } = baseline();

  it('finds a run equivalent to itself', () => {
    const d = diffRuns([{ name: 'good', report, events }], { name: 'same', report, events });
    expect(d.equivalent).toBe(true);
    expect(d.divergences).toEqual([]);
  });

  it('names the process whose trace stops mid-operation, and the transition only the bad run has', () => {
    const victim = [...byProcess(events).values()].find((e) => e[0]!.role === 'slave' && e[0]!.id === 3)!;
    const stopAt = victim.findIndex((e) => e.opId === 5 && e.phase === 'locked');
    const dropped = new Set(victim.slice(stopAt + 1));
    const bad = events.filter((e) => !dropped.has(e));
    const d = diffRuns([{ name: 'good', report, events }], { name: 'bad', report, events: bad });
    expect(d.equivalent).toBe(false);
    const v = d.divergences.find((x) => x.role === 'slave' && x.id === 3)!;
    expect(v).toBeDefined();
    expect(v.opId).toBe(5);
    expect(d.onlyInBad.map((o) => o.transition)).toContainEqual(expect.stringMatching(/locked -> \(end of trace\)/));
  });
});
