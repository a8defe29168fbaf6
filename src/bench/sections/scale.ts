// Scale: iteration time and memory of the whole tree from N = 10 to 1,000 native slaves.
import { readFileSync } from 'node:fs';
import { descendantsOf } from '../../core/procfs/capture.js';
import { config, figure, log, quick, r2, type Figure } from '../measure.js';
import { ourIterations } from '../loops.js';

function treeMemory(): { rssMb: number; pssMb: number } {
  let rss = 0;
  let pss = 0;
  for (const pid of [process.pid, ...descendantsOf(process.pid).map((p) => p.pid)]) {
    try {
      const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+)/m.exec(t)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(t)?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return { rssMb: rss / 1024, pssMb: pss / 1024 };
}

export interface ScaleRow {
  n: number;
  /** ms per iteration over the iterations after the first. */
  wallMs: Figure;
  perSlaveMs: number;
  peakPssMb: number;
  peakRssSumMb: number;
}

export async function scale(tmp: string) {
  const rows: ScaleRow[] = [];
  for (const n of quick ? [10, 100, 500] : [10, 100, 500, 1000]) {
    log(`scale: N = ${n}`);
    let peak = { rssMb: 0, pssMb: 0 };
    const sampler = setInterval(() => {
      const m = treeMemory();
      peak = { rssMb: Math.max(peak.rssMb, m.rssMb), pssMb: Math.max(peak.pssMb, m.pssMb) };
    }, 25);
    const times = await ourIterations(config({ nslaves: n, timeoutMs: 60_000 }), 6, tmp);
    clearInterval(sampler);
    const wall = figure(times.slice(1));
    rows.push({ n, wallMs: wall, perSlaveMs: r2(wall.median / n), peakPssMb: r2(peak.pssMb), peakRssSumMb: r2(peak.rssMb) });
  }
  // Linear: the cost per slave does not grow with N (within 2x from 100 to the largest N).
  const at = (n: number) => rows.find((r) => r.n === n)?.perSlaveMs ?? NaN;
  const largest = rows.at(-1)!.n;
  const growth = r2(at(largest) / at(100));
  return { rows, perSlaveGrowth100ToMax: growth, linear: growth <= 2 };
}
