// diffTraced on recorded real data: traced iterations of test/c/flaky.c (test/fixtures/traced).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAnyReport, readCommandEvents } from '../../../src/core/report/read.js';
import { diffTraced, type TracedDiffInput } from '../../../src/core/trace/diff-traced.js';
import { ROOT } from '../../helpers.js';

const load = (name: string): TracedDiffInput => {
  const r = readAnyReport(join(ROOT, 'test', 'fixtures', 'traced', name));
  if (!('command' in r)) throw new Error(`${name} is not a command report`);
  return { name, report: r.command.report, events: readCommandEvents(r.command)! };
};

describe('diffTraced', () => {
  it('a good iteration against another is equivalent', () => {
    expect(diffTraced([load('good-1')], load('good-2'))).toMatchObject({ equivalent: true, reasons: [], divergences: [], onlyInBad: [] });
  });

  it('the hang: the child’s condvar wait that never returned, the parent that stopped short, and the verdict', () => {
    const d = diffTraced([load('good-1'), load('good-2')], load('hang'));
    expect(d.equivalent).toBe(false);
    expect(d.reasons[0]).toBe('verdict hang, good runs: completed');
    expect(d.onlyInBad.map((o) => o.transition)).toEqual(['cond-wait wait-begin -> (end of trace)']);
    const child = d.divergences.find((v) => v.role === 'p2 flaky thread')!;
    expect(child).toMatchObject({ op: 'cond-wait', seen: 'wait-begin (end of trace)' });
    const parent = d.divergences.find((v) => v.role === 'p1 flaky thread')!;
    expect(parent.seen).toMatch(/^stops after call \d+$/);
  });
});
