// Reading a JSON document the tool wrote (a run report, a command's report,
// a soak summary, a baseline) from a file it did not create: one UsageError
// line naming the file when it is not a regular file, larger than any the
// tool writes, not JSON, nested deeper than any the tool writes, of another
// kind, a schema version this build does not read, or not fitting the
// schema generated from its TypeScript type. What passes is safe to hand to
// every reader and printer: its shape is the type's, and no recursion over
// it can run out of stack.
import { readBoundedText } from '../system/bounded-read.js';
import { UsageError } from '../system/errors.js';
import { SCHEMA_VERSION } from './types.js';
import { firstProblem } from './validate.js';

/**
 * The largest document read: a hung run of 1,000 slaves writes a 7 MB
 * report.json, a soaked program's tree of thousands of processes a few times
 * that; 256 MB leaves room and stays well under V8's longest string (512 MB).
 */
export const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/**
 * Deepest nesting accepted: the documents the tool writes nest 9 levels at
 * most (a command's report). Deeper input is refused before any validator,
 * formatter or JSON.stringify recurses over it (20,000 levels overflow the stack).
 */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of a parsed value, counted without recursion, stopping past `limit`. */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > limit) return true;
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}

/** The parsed JSON of a bounded, regular file; `what` names the document in refusals ("report"). */
export function loadJson(path: string, what: string): unknown {
  const text = readBoundedText(path, MAX_DOCUMENT_BYTES, what);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`${path}: not a ${what}: ${text.trim() ? 'invalid or truncated JSON' : 'empty file'}`);
  }
  if (deeperThan(data, MAX_JSON_DEPTH)) throw new UsageError(`${path}: not a ${what}: nested deeper than ${MAX_JSON_DEPTH} levels`);
  return data;
}

/** The kind a parsed document says it is, read before it is validated as that kind. */
export function kindOf(data: unknown): unknown {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as { kind?: unknown }).kind : undefined;
}

/** A parsed document checked as `kind`: in messages, `what` names the document ("report") and `title` its kind ("run report"). */
export function checkDocument(path: string, data: unknown, kind: string, what: string, title = what): Record<string, unknown> {
  if (kindOf(data) !== kind) throw new UsageError(`${path}: not an mvar-repro ${title}`);
  const r = data as { schemaVersion?: unknown };
  if (r.schemaVersion !== SCHEMA_VERSION)
    throw new UsageError(`${path}: ${what} schema version ${String(r.schemaVersion).slice(0, 40)} is not supported (this build reads ${SCHEMA_VERSION})`);
  const problem = firstProblem(kind, r);
  if (problem) throw new UsageError(`${path}: not a valid ${title}: ${problem}`);
  return r as Record<string, unknown>;
}

/** Reads and checks a document of `kind` in one step. */
export function readJsonFile(path: string, kind: string, what: string, title = what): Record<string, unknown> {
  return checkDocument(path, loadJson(path, what), kind, what, title);
}
