// The preload library's findings grouped by primitive: the same object and
// offset in every process is one finding, with every process and caller that
// used it. Shared by `check` and `soak --check`.
import type { PreloadFinding } from './session.js';
import { hex } from '../system/hex.js';

export interface FindingGroup {
  kind: PreloadFinding['kind'];
  primitive: PreloadFinding['primitive'];
  /** "/dev/shm/x+0x40", or the address when it lies in no named mapping. */
  where: string;
  detail: string;
  pids: number[];
  callers: string[];
}

export function groupFindings(findings: PreloadFinding[]): FindingGroup[] {
  const byKey = new Map<string, FindingGroup>();
  for (const f of findings) {
    const where = f.path ? `${f.path}+${hex(f.offset)}` : f.addr;
    const key = `${f.kind}|${f.primitive}|${where}`;
    const g = byKey.get(key) ?? { kind: f.kind, primitive: f.primitive, where, detail: f.detail, pids: [], callers: [] };
    if (!g.pids.includes(f.pid)) g.pids.push(f.pid);
    if (!g.callers.includes(f.caller)) g.callers.push(f.caller);
    byKey.set(key, g);
  }
  return [...byKey.values()];
}

/** One line: what is wrong with the primitive and where it is. */
export function findingSummary(g: FindingGroup): string {
  const what = g.kind === 'private-primitive-in-shared-memory' ? `${g.primitive} in shared memory is not process-shared` : 'condvar deadline from another clock';
  return `${what}: ${g.where} (${g.detail}), first used from ${g.callers[0] ?? 'an unknown caller'}`;
}
