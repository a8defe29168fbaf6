// `report export`: any folder the tool writes, as a Chrome trace or an HTML
// page. A run of ours and a traced program's hang (soak --trace) become a
// timeline; an untraced program's hang has no events, so its exporters show
// its processes and what they waited on instead.
import type { LoadedCommandHang, LoadedRun } from '../../report/read.js';
import { readCommandEvents, readEvents } from '../../report/read.js';
import { buildCommandTimeline } from '../command-timeline.js';
import { buildTimeline } from '../timeline.js';
import { chromeTrace } from './chrome.js';
import { commandChromeTrace, commandHtml } from './command.js';
import { commandPage, htmlTimeline, runPage } from './html.js';
import { jsonText } from '../../system/json.js';

export type ExportFormat = 'chrome-trace' | 'html';

export function exportTimeline(r: { run: LoadedRun } | { command: LoadedCommandHang }, format: ExportFormat): string {
  const dir = 'command' in r ? r.command.dir : r.run.dir;
  const name = dir.split('/').pop() ?? 'run';
  if ('run' in r) {
    const t = buildTimeline(r.run.report, readEvents(r.run));
    return format === 'html' ? htmlTimeline(runPage(r.run.report, name), t, name) : jsonText(chromeTrace(r.run.report, t, name), 0);
  }
  const events = readCommandEvents(r.command);
  if (!events) return format === 'html' ? commandHtml(r.command.report, name) : jsonText(commandChromeTrace(r.command.report, name), 0);
  const t = buildCommandTimeline(r.command.report, events);
  const page = commandPage(r.command.report, name);
  return format === 'html' ? htmlTimeline(page, t, name) : jsonText(chromeTrace(page, t, name), 0);
}
