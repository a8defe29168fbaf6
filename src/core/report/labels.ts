// How a process of our runs is named everywhere a person reads ("master",
// "slave 3": defined with the roles, native/vocabulary.ts), and a soaked
// command's iteration in a few words.
import type { CommandHangReport } from './types.js';
import { fmtDuration } from '../system/duration.js';

export { processLabel, processLabelWithPid } from '../native/vocabulary.js';

/** A soaked command's iteration in a few words: "hang: proven after 352ms", "completed: exited 0 in 120ms". */
export function commandVerdict(r: CommandHangReport): string {
  if (r.verdict === 'completed' || r.verdict === 'failed') {
    const how = r.exit ? (r.exit.signal ? `killed by ${r.exit.signal}` : `exited ${r.exit.code}`) : 'ended';
    return `${r.verdict}: ${how}${r.exit ? ` after ${fmtDuration(r.exit.wallMs)}` : ''}`;
  }
  return r.proof ? `hang: proven after ${fmtDuration(r.proof.provenAtMs)}` : `hang: not complete after ${fmtDuration(r.timeoutMs)}`;
}

/** "slave 2–9, 11, 13–50": processes of our runs named by role, consecutive ids as ranges. */
export function groupLabel(ps: { role: string; id: number }[]): string {
  const parts: string[] = [];
  for (const role of [...new Set(ps.map((p) => p.role))]) {
    if (role === 'master') {
      parts.push('master');
      continue;
    }
    const ids = ps.filter((p) => p.role === role).map((p) => p.id).sort((a, b) => a - b);
    const ranges: string[] = [];
    for (let i = 0; i < ids.length; ) {
      let j = i;
      while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
      ranges.push(j > i ? `${ids[i]}–${ids[j]}` : String(ids[i]));
      i = j + 1;
    }
    parts.push(`${role} ${ranges.join(', ')}`);
  }
  return parts.join('; ');
}
