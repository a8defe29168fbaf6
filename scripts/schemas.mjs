// Generates the JSON schemas of the documents the tool writes (and of one
// line of events.ndjson) from their TypeScript types
// (src/core/report/types.ts and what it imports), the single definition. Run by
// `npm run schemas` after a change to those types; a test fails while the
// committed schemas differ from what this makes.
import { writeFileSync } from 'node:fs';
import { createGenerator } from 'ts-json-schema-generator';

export const DOCUMENTS = { RunReport: 'run-report', SoakSummary: 'soak-summary', CommandHangReport: 'command-hang-report', TraceEvent: 'trace-event' };
const root = new URL('..', import.meta.url).pathname;

export function generate(type) {
  const g = createGenerator({ path: `${root}src/core/report/types.ts`, tsconfig: `${root}tsconfig.json`, type, topRef: false, skipTypeCheck: true });
  return `${JSON.stringify(g.createSchema(type), null, 2)}\n`;
}

if (process.argv[1] === new URL(import.meta.url).pathname)
  for (const [type, file] of Object.entries(DOCUMENTS)) {
    writeFileSync(`${root}src/core/report/schema/${file}.schema.json`, generate(type));
    console.log(`${file}.schema.json from ${type}`);
  }
