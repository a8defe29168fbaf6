// JSON as the tool writes it: parses back to the same values, and carries no
// character a terminal or a <script> could act on.
import { describe, expect, it } from 'vitest';
import { jsonText } from '../../../src/core/system/json.js';

describe('jsonText', () => {
  it('escapes DEL, C1 controls and line separators, and parses back unchanged', () => {
    const value = { comm: 'a\u007fb\u009b2J\u0085c\u2028d\u2029e\u001b', n: 1, nested: [null, true, 'é'] };
    const text = jsonText(value);
    expect(text).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    expect(text).toContain('\\u009b');
    expect(JSON.parse(text)).toEqual(value);
    expect(jsonText(value, 0)).not.toContain('\n');
  });
});
