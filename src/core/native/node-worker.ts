// The Node runtime of a protocol process: same roles as native/worker.c, with
// each blocking take/put either on a libuv worker thread (the AsyncWorker, as
// the original ran its blocking FFI calls on an OS thread) or on the main
// thread. Exits with the native worker's statuses.
import { parseArgs } from 'node:util';
import type { RawSegment } from './addon.js';
import { addon } from './addon.js';
import { layout } from './layout.js';
import type { Role } from './vocabulary.js';
import { ROLES } from './vocabulary.js';

interface Ops {
  take(): Promise<bigint>;
  put(v: bigint): Promise<void>;
  abba(): Promise<void>;
}

function opsFor(seg: RawSegment, thread: string): Ops {
  if (thread === 'main')
    return {
      take: async () => seg.takeSync(),
      put: async (v) => seg.putSync(v),
      abba: async () => seg.abbaSync(),
    };
  return { take: () => seg.take(), put: (v) => seg.put(v), abba: () => seg.abba() };
}

async function runRole(seg: RawSegment, ops: Ops, role: Role, count: number): Promise<void> {
  const plan = seg.faultPlan();
  switch (role) {
    case 'master':
      for (let i = 1; i <= (count || plan.nslaves); i++) await ops.put(BigInt(i));
      return;
    case 'producer':
      for (let i = 1; i <= count; i++) await ops.put(BigInt(i));
      return;
    case 'consumer':
      for (let i = 1; i <= count; i++) {
        const v = await ops.take();
        if (v !== BigInt(i)) throw Object.assign(new Error(`value ${v} arrived where ${i} was expected`), { status: 'value' });
      }
      return;
    case 'slave': {
      seg.waitForFault();
      if (plan.abba) await ops.abba();
      if (plan.loseValue) {
        await ops.take();
        await ops.take();
        process.exit(0); // leaves with the value, as a buggy consumer would
      }
      const rounds = count || plan.rounds;
      for (let r = 0; r < rounds; r++) await ops.put((await ops.take()) + 1n);
      await ops.take();
    }
  }
}

async function main(): Promise<number> {
  const L = layout();
  const status = (n: string) => L.exitCodes[n] ?? 1;
  let args;
  try {
    args = parseArgs({
      options: {
        segment: { type: 'string' },
        role: { type: 'string' },
        id: { type: 'string', default: '0' },
        count: { type: 'string', default: '0' },
        thread: { type: 'string', default: 'worker' },
        parent: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`mvar-node-worker: ${(e as Error).message}\n`);
    return status('usage');
  }
  const role = args.role as Role;
  if (!args.segment || !ROLES.includes(role) || !['worker', 'main'].includes(args.thread ?? '')) {
    process.stderr.write('mvar-node-worker: --segment, --role master|slave|producer|consumer, --thread worker|main\n');
    return status('usage');
  }
  if (args.parent && !addon().dieWithParent(Number(args.parent))) {
    process.stderr.write(`mvar-node-worker: parent ${args.parent} is gone before start\n`);
    return status('parent');
  }
  let seg: RawSegment;
  try {
    seg = addon().Segment.open(args.segment);
    seg.register(L.role.value(role), Number(args.id));
  } catch (e) {
    process.stderr.write(`mvar-node-worker: ${(e as Error).message}\n`);
    return status('segment');
  }
  try {
    await runRole(seg, opsFor(seg, args.thread!), role, Number(args.count));
    seg.finish(0);
    return 0;
  } catch (e) {
    const err = e as Error & { status?: string };
    const code = status(err.status ?? 'protocol');
    seg.finish(code, err.message);
    process.stderr.write(`mvar-node-worker: ${err.message}\n`);
    return code;
  }
}

process.exitCode = await main();
