// JSON as the tool writes it everywhere — report files, summaries, exports
// and --json on stdout. JSON.stringify already escapes quotes, backslashes and
// C0 control characters; this also writes DEL, the C1 controls (U+0080–
// U+009F, which some terminals obey as escape sequences: U+009B is CSI) and
// the line and paragraph separators as \u escapes, so a string from a
// program or a report can reach a terminal, a log viewer or an HTML <script>
// only as text. The value parsed back is unchanged.
const UNSAFE = /[\u007f-\u009f\u2028\u2029]/g;

/** Every character `pattern` (global) matches, written as a \\u escape: valid text inside a JSON string too. */
export const uEscape = (text: string, pattern: RegExp) => text.replace(pattern, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** JSON text of `value`: indented by `indent` spaces (0: one line). */
export function jsonText(value: unknown, indent = 2): string {
  return uEscape(JSON.stringify(value, null, indent) ?? 'null', UNSAFE);
}
