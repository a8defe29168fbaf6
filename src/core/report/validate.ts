// Validation of the documents the tool reads back (run reports, soak
// summaries, command hang reports, and each line of an events file) against
// JSON schemas generated from their TypeScript types (scripts/schemas.mjs; a
// test keeps them in step). A file with the right kind and version but the
// wrong shape is refused with the first problem, never half-read.
import type { Ajv, ValidateFunction } from 'ajv';
import { ajvModule } from '../system/lazy.js';
import commandHangSchema from './schema/command-hang-report.schema.json' with { type: 'json' };
import runReportSchema from './schema/run-report.schema.json' with { type: 'json' };
import soakSummarySchema from './schema/soak-summary.schema.json' with { type: 'json' };
import traceEventSchema from './schema/trace-event.schema.json' with { type: 'json' };
import { COMMAND_RUN_KIND, GENERIC_REPORT_KIND, RUN_REPORT_KIND, SOAK_SUMMARY_KIND } from './types.js';

/** The schema key of one line of events.ndjson (not a document kind). */
export const TRACE_EVENT = 'trace-event';

const SCHEMAS: Record<string, object> = {
  [RUN_REPORT_KIND]: runReportSchema,
  [SOAK_SUMMARY_KIND]: soakSummarySchema,
  [GENERIC_REPORT_KIND]: commandHangSchema,
  [COMMAND_RUN_KIND]: commandHangSchema,
  [TRACE_EVENT]: traceEventSchema,
};

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** Names from the input are cut to this many characters in messages. */
const NAME_CHARS = 80;

/** The first way `data` departs from the schema of `kind`, in words, or null when it fits. */
export function firstProblem(kind: string, data: unknown): string | null {
  const schema = SCHEMAS[kind];
  if (!schema) return `no schema for '${kind}'`;
  ajv ??= new (ajvModule().Ajv)({ allErrors: false, strict: false });
  let validate = compiled.get(kind);
  if (!validate) compiled.set(kind, (validate = ajv.compile(schema)));
  if (validate(data)) return null;
  const e = validate.errors?.[0];
  if (!e) return 'does not fit its schema';
  const where = (e.instancePath || '(top level)').slice(0, NAME_CHARS);
  const extra = e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty).slice(0, NAME_CHARS)}'` : '';
  return `${where} ${e.message ?? 'is wrong'}${extra}`;
}
