// The cost of one trace event (native/tracebench.c), beside line-buffered printf.
import { execa } from 'execa';
import { benchProgram } from '../native.js';
import { figure, interleave, log, quick, ratios } from '../measure.js';

export async function trace() {
  const reps = quick ? 3 : 5;
  log(`trace event cost (native micro-benchmark, 2M events) beside line-buffered printf, ${reps}x`);
  const bin = await benchProgram('mvar-tracebench');
  const runs: { traceNsPerEvent: number; printfNsPerEvent: number }[] = [];
  await interleave(reps, {
    one: async () => {
      const r = await execa(bin, ['--events', quick ? '500000' : '2000000']);
      runs.push(JSON.parse(r.stdout) as { traceNsPerEvent: number; printfNsPerEvent: number });
      return 0;
    },
  });
  const trace = runs.map((r) => r.traceNsPerEvent);
  const printf = runs.map((r) => r.printfNsPerEvent);
  return { traceNsPerEvent: figure(trace), printfNsPerEvent: figure(printf), printfOverTrace: ratios(printf, trace) };
}
