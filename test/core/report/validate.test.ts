// The schemas the readers validate with are generated from the TypeScript
// types (scripts/schemas.mjs): they must be what the generator makes of the
// types now, and the documents the tool writes must fit them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { firstProblem } from '../../../src/core/report/validate.js';
import { RUN_REPORT_KIND } from '../../../src/core/report/types.js';
import { ROOT } from '../../helpers.js';
import { baseline } from '../recorded.js';

describe('report schemas', () => {
  it('are in step with src/core/report/types.ts (run `npm run schemas` after changing the types)', async () => {
    const { DOCUMENTS, generate } = (await import(`${ROOT}/scripts/schemas.mjs`)) as { DOCUMENTS: Record<string, string>; generate: (t: string) => string };
    for (const [type, file] of Object.entries(DOCUMENTS)) {
      const committed = readFileSync(`${ROOT}/src/core/report/schema/${file}.schema.json`, 'utf8');
      expect(committed, `${file}.schema.json is stale`).toBe(generate(type));
    }
  }, 120_000);

  it('accept a real report and name the first problem of a bent one', () => {
    const { report } = baseline();
    expect(firstProblem(RUN_REPORT_KIND, report)).toBeNull();
    expect(firstProblem(RUN_REPORT_KIND, { ...report, verdict: 'maybe' })).toMatch(/^\/verdict must be equal to one of the allowed values/);
    expect(firstProblem(RUN_REPORT_KIND, { ...report, processes: [{ ...report.processes[0], pid: 'x' }] })).toMatch(/^\/processes\/0\/pid must be number/);
  });
});
