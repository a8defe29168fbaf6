// `run 50 --variant fixed` per iteration: ours (fork server, native; and Node
// slaves) against the C launcher floor, interleaved.
import { execa } from 'execa';
import { config, figure, interleave, log, median, quick, ratios } from '../measure.js';
import { floorIterations, ourIterations } from '../loops.js';

export async function iteration(tmp: string) {
  const reps = quick ? 2 : 5;
  log(`run 50 --variant fixed: ours (fork server, native; and node slaves) against the C launcher floor, interleaved ${reps}x`);
  // Each repetition: the median of 10 iterations of each (the first of ours also starts the fork server, so it is left out).
  const t = await interleave(reps, {
    floor: async () => median((await floorIterations(50, 10)).slice(1)),
    native: async () => median((await ourIterations(config({}), 11, tmp)).slice(1)),
  });
  log('node slaves (3 iterations), beside the floor of starting 50 bare node processes, interleaved');
  const n = quick ? 2 : 3;
  const nodeT = await interleave(n, {
    node: async () => median(await ourIterations(config({ runtime: 'node', spawner: 'execa' }), 1, tmp)),
    bare: async () => {
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 50 }, () => execa(process.execPath, ['-e', '0'])));
      return performance.now() - t0;
    },
    floor: async () => median((await floorIterations(50, 3)).slice(1)),
  });
  return {
    floorMs: figure(t.floor),
    nativeMs: figure(t.native),
    nodeMs: figure(nodeT.node),
    bareNodeStartMs: figure(nodeT.bare),
    iterationRatioNative: ratios(t.native, t.floor),
    iterationRatioNode: ratios(nodeT.node, nodeT.floor),
    nodeOverBareNodeStart: ratios(nodeT.node, nodeT.bare),
  };
}
