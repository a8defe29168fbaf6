// `run 50 --variant fixed` per iteration: ours (fork server, native; and Node
// slaves) against the C launcher floor, interleaved.
import { execa } from 'execa';
import { config, log, median, quick, r2 } from '../measure.js';
import { floorIterations, ourIterations } from '../loops.js';

export async function iteration(tmp: string) {
  log('run 50 --variant fixed: ours (fork server, native; and node slaves) against the C launcher floor, interleaved');
  const floor: number[] = [];
  const native: number[] = [];
  const rounds = quick ? 2 : 4;
  for (let i = 0; i < rounds; i++) {
    floor.push(...(await floorIterations(50, 10)).slice(1));
    native.push(...(await ourIterations(config({}), 11, tmp)).slice(1)); // the first also starts the fork server
  }
  log('node slaves (3 iterations), beside the floor of starting 50 bare node processes');
  const node = await ourIterations(config({ runtime: 'node', spawner: 'execa' }), quick ? 2 : 3, tmp);
  const bareNode: number[] = [];
  for (let i = 0; i < (quick ? 2 : 3); i++) {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 50 }, () => execa(process.execPath, ['-e', '0'])));
    bareNode.push(performance.now() - t0);
  }
  const f = median(floor);
  return {
    floorMs: r2(f),
    nativeMs: r2(median(native)),
    nodeMs: r2(median(node)),
    bareNodeStartMs: r2(median(bareNode)),
    iterationRatioNative: r2(median(native) / f),
    iterationRatioNode: r2(median(node) / f),
    nodeOverBareNodeStart: r2(median(node) / median(bareNode)),
  };
}
