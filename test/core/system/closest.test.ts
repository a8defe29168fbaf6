// "Did you mean …?": the nearest known words to a mistyped one.
import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../../src/core/system/closest.js';

describe('closest', () => {
  const options = ['iterations', 'timeout', 'until-hang', 'report-dir', 'runtime', 'rounds', 'stall', 'stacks', 'seed', 'json'];

  it('finds a missing letter, a swap, a wrong letter and an abbreviation', () => {
    expect(closest('iteration', options)).toEqual(['iterations']);
    expect(closest('timoeut', options)).toEqual(['timeout']);
    expect(closest('stack', options)).toEqual(['stacks']);
    expect(closest('iter', options)).toEqual(['iterations']);
    expect(closest('untilhang', options)).toEqual(['until-hang']);
  });

  it('suggests nothing for a word unlike any option', () => {
    expect(closest('zzzz', options)).toEqual([]);
    expect(closest('x', options)).toEqual([]);
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('abcd', 'abdc')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('seed', 'seed')).toBe(0);
  });
});
