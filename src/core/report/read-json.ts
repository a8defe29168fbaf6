// Reading a JSON file the tool wrote (a run report, a soak summary): one
// UsageError line naming the file when it cannot be read, is not JSON, is of
// another kind or a schema version this build does not read, or does not fit
// the schema generated from its TypeScript type.
import { readFileSync } from 'node:fs';
import { UsageError } from '../system/errors.js';
import { SCHEMA_VERSION } from './types.js';
import { firstProblem } from './validate.js';

/** In messages, `what` names the document ("report") and `title` its kind ("run report"). */
export function readJsonFile(path: string, kind: string, what: string, title = what): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`${path}: not a ${what}: ${text.trim() ? 'invalid or truncated JSON' : 'empty file'}`);
  }
  const r = data as { kind?: unknown; schemaVersion?: unknown } | null;
  if (!r || typeof r !== 'object' || r.kind !== kind) throw new UsageError(`${path}: not an mvar-repro ${title}`);
  if (r.schemaVersion !== SCHEMA_VERSION)
    throw new UsageError(`${path}: ${what} schema version ${String(r.schemaVersion)} is not supported (this build reads ${SCHEMA_VERSION})`);
  const problem = firstProblem(kind, r);
  if (problem) throw new UsageError(`${path}: not a valid ${title}: ${problem}`);
  return r as Record<string, unknown>;
}
