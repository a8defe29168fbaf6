// The check's file is the program's to write: lines that are not what the
// library writes are skipped and counted, never trusted; recorded lines parse whole.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLibraryLines } from '../../../src/core/preload/lines.js';

describe('library lines', () => {
  it('recorded lines of a real run parse whole, into their kinds', () => {
    const l = parseLibraryLines(readFileSync(new URL('../../fixtures/check-lines/cond-two.ndjson', import.meta.url), 'utf8'));
    expect(l.skipped).toBe(0);
    expect(l.loaded).toHaveLength(2);
    expect(l.condMutex.map((c) => c.pid)).toHaveLength(2);
    expect(l.locks.every((x) => /^[0-9a-f]{16}$/.test(x.id))).toBe(true);
  });

  it('junk, cut lines, wrong types and foreign events are skipped and counted', () => {
    const good = '{"event":"loaded","pid":5,"ppid":1,"exe":"/bin/x"}';
    const text = [
      good,
      '{"event":"loaded","pid":5,"pp', // cut by a kill
      'not json',
      '[1,2]',
      '{"event":"edge","pid":5,"from":"zz","to":"0000000000000001"}',
      '{"event":"lock","pid":"5","id":"0000000000000001","kind":"mutex","path":"/x","offset":0}',
      '{"event":"finding","pid":5,"kind":{"x":1},"primitive":"mutex","detail":"d"}',
      '{"event":"surprise","pid":5}',
      '{"event":"sempost","pid":5,"sem":"0000000000000001","holder":"yes"}',
      '',
    ].join('\n');
    const l = parseLibraryLines(text);
    expect(l.loaded).toEqual([{ event: 'loaded', pid: 5, ppid: 1, exe: '/bin/x' }]);
    expect(l.edges).toEqual([]);
    expect(l.locks).toEqual([]);
    expect(l.findings).toEqual([]);
    expect(l.skipped).toBe(8);
  });
});
