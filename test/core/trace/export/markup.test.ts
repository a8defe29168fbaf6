// The HTML template of the exports: every value is text, whatever it is.
import { describe, expect, it } from 'vitest';
import { esc, html, scriptJson, trusted } from '../../../../src/core/trace/export/markup.js';

describe('html', () => {
  it('escapes every value — strings, numbers that are strings, arrays — but not Markup', () => {
    const pid = '<script>alert(1)</script>' as unknown as number;
    const m = html`<td data-pid="${pid}">${'a"b\'c&d'}</td>${[html`<br>`, '<i>']}${trusted('<hr>')}${null}${undefined}${false}${0}`;
    expect(m.text).toBe('<td data-pid="&lt;script&gt;alert(1)&lt;/script&gt;">a&quot;b&#39;c&amp;d</td><br>&lt;i&gt;<hr>0');
    expect(esc(42)).toBe('42');
  });

  it('data in a <script> cannot end it or break its line', () => {
    const s = scriptJson({ tail: '</script><script>alert(1)</script>\u2028' }).text;
    expect(s).not.toMatch(/<|>|\u2028/);
    expect(JSON.parse(s)).toEqual({ tail: '</script><script>alert(1)</script>\u2028' });
  });
});
