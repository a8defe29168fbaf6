// Folding alike tracks into rows, on recorded real data: the committed good
// run (fixed, 20 slaves) and the traced program's hang fixture.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAnyReport, readCommandEvents, readEvents } from '../../../src/core/report/read.js';
import { buildCommandTimeline } from '../../../src/core/trace/command-timeline.js';
import { foldTracks, likeness } from '../../../src/core/trace/fold.js';
import { buildTimeline } from '../../../src/core/trace/timeline.js';
import { ROOT } from '../../helpers.js';

const baseline = () => {
  const r = readAnyReport(join(ROOT, 'reports', 'baselines', 'fixed-n20'));
  if (!('run' in r)) throw new Error('not a run');
  return buildTimeline(r.run.report, readEvents(r.run));
};

describe('foldTracks', () => {
  it('20 slaves that each did their 10 rounds and finished are one row, "slave 1–20", the master its own', () => {
    const rows = foldTracks(baseline().tracks);
    expect(rows.map((r) => [r.label, r.tracks.length, r.folded])).toEqual([
      ['master', 1, false],
      ['slave 1–20', 20, true],
    ]);
  });

  it('a track that ended differently is not folded with the others; fewer than three alike stay apart', () => {
    const t = baseline();
    const odd = t.tracks[5]!;
    odd.state = 'killed';
    const rows = foldTracks(t.tracks);
    expect(rows.find((r) => r.tracks.includes(odd))).toMatchObject({ folded: false, label: odd.label });
    expect(rows.find((r) => r.folded)!.label).toBe('slave 1–4, 6–20');
    expect(foldTracks(t.tracks.slice(0, 3)).every((r) => !r.folded)).toBe(true);
  });

  it('time is not likeness: the same story told a few microseconds later is alike', () => {
    const [a, b] = baseline().tracks.slice(1, 3) as [ReturnType<typeof baseline>['tracks'][number], ReturnType<typeof baseline>['tracks'][number]];
    expect(likeness(a)).toBe(likeness(b));
    expect(a.spans[0]!.startNs).not.toBe(b.spans[0]!.startNs);
  });

  it('threads of a traced program keep their own rows when they differ', () => {
    const r = readAnyReport(join(ROOT, 'test', 'fixtures', 'traced', 'hang'));
    if (!('command' in r)) throw new Error('not a command report');
    const rows = foldTracks(buildCommandTimeline(r.command.report, readCommandEvents(r.command)!).tracks);
    expect(rows.map((x) => x.label)).toEqual(['p1 t1 flaky', 'p2 t1 flaky']);
  });
});

describe('lost signals', () => {
  it('the good run has none: every signal sent while another process waited woke a waiter', () => {
    const t = baseline();
    expect(t.flows.length).toBeGreaterThan(0);
    expect(t.lostSignals).toEqual([]);
  });
});
