// JUnit XML: valid XML 1.0 whatever it carries, and testcases CI can group.
import { describe, expect, it } from 'vitest';
import { junitXml, xmlAttr, xmlText, type JUnitCase } from '../../../src/core/soak/junit.js';
import { checkCase, interruptedCase, iterationCase, MESSAGE_MAX, stableWhere } from '../../../src/core/soak/junit-cases.js';
import type { SoakOutcome } from '../../../src/core/soak/summary.js';
import { junitCases, xmlProblems } from '../../junit-xml.js';

const hostile = 'a\u0000b\u0001\u0008\u000b\u000c\u001f c\uFFFE\uFFFF d\uD800 e\uDC00 f\uD83D\uDE00 g <&>"\t\r\n]]>';

describe('escaping for XML', () => {
  it('drops what XML 1.0 forbids (C0 controls but tab, CR, LF; U+FFFE/U+FFFF; lone surrogates) and keeps a surrogate pair', () => {
    const t = xmlText(hostile);
    expect(t).toBe('ab c d e f\uD83D\uDE00 g &lt;&amp;&gt;"\t\r\n]]&gt;');
    expect(xmlAttr(hostile)).toBe('ab c d e f\uD83D\uDE00 g &lt;&amp;&gt;&quot;&#9;&#13;&#10;]]&gt;');
  });

  it('a whole file of hostile names, messages and bodies reads back as it was meant', () => {
    const c: JUnitCase = { name: hostile, timeMs: 1, result: { kind: 'failure', type: hostile, message: hostile, body: hostile }, systemOut: hostile };
    const xml = junitXml(hostile, [c], '2026-01-01T00:00:00Z', 5);
    expect(xmlProblems(xml)).toEqual([]);
    const [back] = junitCases(xml);
    expect(back!.result!.message).toBe('ab c d e f\uD83D\uDE00 g <&>"\t\r\n]]>');
  });
});

const outcome = (over: Partial<SoakOutcome>): SoakOutcome => ({
  index: 7,
  verdict: 'hang',
  wallMs: 1234,
  lateByMs: null,
  proof: { provenAtMs: 812.5, lastProgressAtMs: 600, reason: 'a cycle of waits that never end' },
  summary: 'hang: proven after 813 ms; 3 process(es) in the tree',
  findingKinds: ['deadlock-cycle', 'no-waker', 'deadlock-cycle'],
  findingSummaries: ['pid 4242 waits for pid 4243 …'],
  incomplete: [],
  reportPath: '/r/x',
  saveError: null,
  ...over,
});

describe('testcases', () => {
  it('a hang: the kinds in its message, the same in any iteration and any pid; pids and times only in the body', () => {
    const a = iterationCase({ outcome: outcome({}), shard: null, diagnosis: null, failedAs: '', extra: 'stuck: pid 4242' });
    const b = iterationCase({ outcome: outcome({ index: 9, wallMs: 99, proof: { provenAtMs: 3, lastProgressAtMs: 1, reason: 'x' }, findingSummaries: ['pid 1 waits'] }), shard: null, diagnosis: null, failedAs: '', extra: '' });
    expect(a.result).toMatchObject({ kind: 'failure', type: 'hang', message: 'hang proven: deadlock-cycle, no-waker' });
    expect(b.result!.message).toBe(a.result!.message);
    expect(a.result!.body).toContain('pid 4242');
    expect(a.systemOut).toBe('report: /r/x');
    expect(iterationCase({ outcome: outcome({ proof: null, findingKinds: [] }), shard: { index: 2, count: 3 }, diagnosis: null, failedAs: '', extra: '' })).toMatchObject({
      name: 'shard 2/3 iteration 7',
      result: { message: 'hang at the deadline: no finding' },
    });
  });

  it('a failure is an error whose message is how it ended; a pass has no result; messages are cut at the limit', () => {
    expect(iterationCase({ outcome: outcome({ verdict: 'failed' }), shard: null, diagnosis: null, failedAs: 'killed by SIGSEGV', extra: '' }).result).toMatchObject({ kind: 'error', type: 'failed', message: 'killed by SIGSEGV' });
    expect(iterationCase({ outcome: outcome({ verdict: 'completed' }), shard: null, diagnosis: null, failedAs: '', extra: '' }).result).toBeNull();
    const long = iterationCase({ outcome: outcome({ verdict: 'failed' }), shard: null, diagnosis: null, failedAs: 'x'.repeat(500), extra: '' });
    expect(long.result!.message.length).toBe(MESSAGE_MAX);
  });

  it('a --check finding is one failure naming its kind and where; an interrupted soak is an error', () => {
    const c = checkCase({ kind: 'private-primitive-in-shared-memory', primitive: 'mutex', where: '/dev/shm/x+0x40', detail: 'kind 0', pids: [5, 6], callers: ['main+0x10 (prog)'] }, [1, 2, 3], null);
    expect(c.result).toMatchObject({ kind: 'failure', type: 'private-primitive-in-shared-memory', message: 'private-primitive-in-shared-memory: mutex at /dev/shm/x+0x40' });
    expect(c.result!.body).toMatch(/iterations: 1, 2, 3/);
    expect(interruptedCase(12, 300).result).toMatchObject({ kind: 'error', type: 'interrupted' });
  });

  it('a --check place is the same whatever pid the program put in its names; the offset stays', () => {
    expect(stableWhere('/dev/shm/app-31337 (deleted)+0x40')).toBe('/dev/shm/app-* (deleted)+0x40');
    expect(stableWhere('/dev/shm/app-9+0x1000')).toBe('/dev/shm/app-9+0x1000');
    expect(stableWhere('0x7f00dead0040')).toBe('0x7f00dead0040'.replace(/\d{2,}/g, '*'));
  });

  it('counts failures and errors in the suite', () => {
    const xml = junitXml('s', [iterationCase({ outcome: outcome({}), shard: null, diagnosis: null, failedAs: '', extra: '' }), interruptedCase(1, 2)], '2026-01-01T00:00:00Z', 5);
    expect(xml).toMatch(/<testsuite name="s" tests="2" failures="1" errors="1"/);
  });
});
