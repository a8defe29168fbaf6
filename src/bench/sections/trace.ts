// The cost of one trace event (native/tracebench.c), beside line-buffered printf.
import { execa } from 'execa';
import { benchProgram } from '../native.js';
import { log, quick, r2 } from '../measure.js';

export async function trace() {
  log('trace event cost (native micro-benchmark, 2M events) beside line-buffered printf');
  const r = await execa(await benchProgram('mvar-tracebench'), ['--events', quick ? '500000' : '2000000']);
  const t = JSON.parse(r.stdout) as { traceNsPerEvent: number; printfNsPerEvent: number };
  return { traceNsPerEvent: t.traceNsPerEvent, printfNsPerEvent: t.printfNsPerEvent, printfOverTrace: r2(t.printfNsPerEvent / t.traceNsPerEvent) };
}
