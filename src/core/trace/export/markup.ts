// HTML built so that nothing from a report can become markup: every value
// put into an `html` template is escaped as text (a pid, a comm, a summary,
// a number alike), unless it is already Markup made by `html` itself. A
// report is another user's file, and an exported page is opened in a browser:
// one field left unescaped is a script run in whoever opens it. Code and
// style that the tool itself writes go in with `trusted`; data inside a
// <script> goes in with `scriptJson`.

/** Text that is already HTML (made by `html` or `trusted`), as opposed to text to escape. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Any value as HTML text or attribute value. */
export const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

function piece(v: unknown): string {
  if (v instanceof Markup) return v.text;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

/** A template whose every ${value} is escaped, except Markup (and arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0]!;
  values.forEach((v, i) => (out += piece(v) + strings[i + 1]!));
  return new Markup(out);
}

/** Markup the tool itself wrote (style rules, its own script): never anything from a report. */
export const trusted = (text: string): Markup => new Markup(text);

/** A value as a JavaScript literal inside <script>: JSON that cannot close the element or break a line of code. */
export const scriptJson = (value: unknown): Markup =>
  new Markup(JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
