// Exports of a soaked command's hang report recorded without --trace: the
// timeline formats still open it — one track per process of the tree with
// the hang marked (Chrome trace), or the verdict, findings and blocked
// threads of every process (HTML) — and say that no trace was recorded.
// Every value from the report goes through markup.ts's `html`, escaped.
import type { CommandHangReport } from '../../report/types.js';
import { commandVerdict } from '../../report/labels.js';
import { html } from './markup.js';
import { checkFindingsHtml } from './check-html.js';

export function commandChromeTrace(r: CommandHangReport, name: string) {
  const at = (r.proof?.provenAtMs ?? r.timeoutMs) * 1000;
  const traceEvents = r.tree.flatMap((p) => [
    { name: 'process_name', ph: 'M', pid: p.pid, tid: p.pid, args: { name: `${p.comm} ${p.pid}` } },
    { name: commandVerdict(r), ph: 'i', s: 'p', ts: at, pid: p.pid, tid: p.pid, args: { kind: r.diagnosis?.processes.find((d) => d.pid === p.pid)?.kind ?? '' } },
  ]);
  return { traceEvents, displayTimeUnit: 'ms' as const, otherData: { run: name, command: r.command.join(' '), note: 'a soaked command records no trace: one track per process, the verdict marked' } };
}

export function commandHtml(r: CommandHangReport, name: string): string {
  const rows = (r.diagnosis?.processes ?? []).map((p) => {
    const threads = p.threads
      .filter((t) => t.wait || t.activity === 'stopped')
      .map((t, i) => html`${i ? html`<br>` : ''}tid ${t.tid} ${t.syscall}${t.wait ? ` — ${t.wait.stuckForGood ? 'stuck for good' : t.wait.timed ? 'timed' : 'blocked'}: ${t.wait.on}` : ''}`);
    return html`<tr class="${p.kind ? 'stuck' : ''}"><td>${p.pid}</td><td>${p.comm}</td><td>${p.kind ?? (p.behind ? `behind ${p.behind.pid}` : '-')}</td><td>${threads.length ? threads : p.stateName}</td></tr>\n`;
  });
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mvar-repro ${name}</title>
<style>body{font:13px system-ui,sans-serif;margin:16px;color:#222} h1{font-size:18px} .meta{color:#555}
.verdict{color:#b00020;font-weight:600} .finding{border-left:4px solid #b00020;padding:4px 8px;margin:6px 0;background:#fff5f5}
table{border-collapse:collapse;font:12px monospace} td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top} tr.stuck td{background:#ffe5e5}
pre{white-space:pre-wrap;font-size:11px}</style></head><body>
<h1>mvar-repro ${name}</h1>
<div class="meta">${r.command.join(' ')} — iteration ${r.iteration}, ${r.createdAt}; no trace was recorded for this program, so there is no timeline: its processes and what they waited on are below.</div>
<p class="verdict">${commandVerdict(r)}</p>
${r.leftBehind?.length ? html`<p>left behind in /dev/shm: ${r.leftBehind.join(', ')}</p>` : ''}
<section id="findings">${(r.diagnosis?.findings ?? []).map((f) => html`<div class="finding" data-kind="${f.kind}"><b>${f.kind}</b>: ${f.summary}<details><summary>evidence</summary><pre>${f.evidence.join('\n')}</pre></details></div>\n`)}</section>${checkFindingsHtml(r.preload?.findings)}
<table><tr><th>pid</th><th>command</th><th>finding</th><th>blocked threads</th></tr>
${rows}</table>
</body></html>
`.text;
}
