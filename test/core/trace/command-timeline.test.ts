// The timeline of a traced program's hang, on recorded real data (test/fixtures/traced/hang).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAnyReport, readCommandEvents } from '../../../src/core/report/read.js';
import { buildCommandTimeline } from '../../../src/core/trace/command-timeline.js';
import { ROOT } from '../../helpers.js';

describe('buildCommandTimeline', () => {
  it('one track per traced thread; the waiter’s condvar wait never ends and it is marked stuck; the view ends at the verdict', () => {
    const r = readAnyReport(join(ROOT, 'test', 'fixtures', 'traced', 'hang'));
    if (!('command' in r)) throw new Error('not a command report');
    const t = buildCommandTimeline(r.command.report, readCommandEvents(r.command)!);
    expect(t.tracks.map((x) => x.label)).toEqual(['p1 t1 flaky', 'p2 t1 flaky']);
    const child = t.tracks[1]!;
    expect(child.stuck).toBe(true);
    expect(child.spans.filter((s) => s.open).map((s) => `${s.kind} ${s.name.split(' ')[0]}`)).toEqual(['wait cond-wait']);
    // The parent locked, did not signal, and unlocked: its hold of the mutex ended.
    expect(t.tracks[0]!.spans.filter((s) => s.kind === 'op').every((s) => !s.open)).toBe(true);
    expect(t.endNs).toBeGreaterThan(t.lastEventNs);
  });
});
