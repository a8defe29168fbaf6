// What `diagnose` costs on a large hang: the CLI, on its defaults (three
// samples 200 ms apart, the waits followed), given every pid of a live
// `run 499 --variant original` hang — 500 processes stuck on the MVar's
// private futexes. Timed end to end, the CLI's own start included, as a user
// waits for it; several times on the same hang.
import { runLoop } from '../../core/run/loop.js';
import { gatherEvidence } from '../../core/run/evidence.js';
import { cliWall, config, figure, log, never, quick } from '../measure.js';

const SLAVES = 499;

export async function diagnoseMany(tmp: string) {
  const reps = quick ? 2 : 4;
  log(`diagnose: the CLI on all ${SLAVES + 1} processes of a live original hang, ${reps} times`);
  const wall: number[] = [];
  let processes = 0;
  let exit = -1;
  await runLoop(
    {
      config: config({ nslaves: SLAVES, variant: 'original', timeoutMs: 60_000 }),
      iterations: 1,
      durationMs: undefined,
      untilHang: false,
      parallel: 1,
      reportDir: tmp,
      saveAll: false,
      inspect: async (ctx) => {
        const live = ctx.processes.filter((p) => !p.exit).map((p) => String(p.pid));
        processes = live.length;
        for (let i = 0; i < reps; i++) {
          const r = await cliWall(['diagnose', ...live, '--json']);
          wall.push(r.ms);
          exit = r.code;
        }
        return gatherEvidence(ctx, { stacks: 0, keep: false });
      },
      signal: never,
    },
    {},
  );
  return { diagnoseProcesses: processes, diagnoseMs: figure(wall), diagnoseExit: exit };
}
