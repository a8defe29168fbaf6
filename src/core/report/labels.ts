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
