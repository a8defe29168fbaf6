// How a process of our runs is named everywhere a person reads: "master",
// "slave 3" (and "producer 1" / "consumer 2" for the other roles).
export function processLabel(p: { role: string; id: number }): string {
  return p.role === 'master' ? 'master' : `${p.role} ${p.id}`;
}

/** "slave 3 (pid 4127)". */
export function processLabelWithPid(p: { role: string; id: number; pid: number }): string {
  return `${processLabel(p)} (pid ${p.pid})`;
}
