// Options shared by `run` and `soak`, and their validation into a RunConfig.
import { randomInt } from 'node:crypto';
import type { Argv } from 'yargs';
import { MAX_LOOP_MS, parseDuration } from '../core/system/duration.js';
import { UsageError } from '../core/system/errors.js';
import type { RunConfig } from '../core/report/types.js';
import type { Fault, Runtime, SlaveThread, Variant } from '../core/native/vocabulary.js';
import { FAULTS, FAULT_EXPECTATIONS, RUNTIMES, SLAVE_THREADS, VARIANTS, faultMinSlaves } from '../core/native/vocabulary.js';
import { warn } from './output.js';

export const MAX_SLAVES = 1000;
/** --stall unless given: a live process silent this long is stuck. */
const DEFAULT_STALL_MS = 2000;
/** Node slaves are whole Node processes: bounded so a typo cannot exhaust memory. */
export const MAX_NODE_SLAVES = 200;

/**
 * Defaults of the options whose absence matters: given, each can be
 * pointless in the company of others (ignoredOptions), so yargs is not told
 * the default and cannot make it look given.
 */
const DEFAULTS = { slaveThread: 'worker', spawner: 'forkserver', stacks: '3', chaosIntensity: '5' } as const;

export interface RunArgs {
  N?: string;
  variant?: string;
  fault: string;
  runtime: string;
  'slave-thread'?: string;
  rounds: string;
  timeout: string;
  stall?: string;
  iterations?: string;
  'until-hang'?: boolean;
  duration?: string;
  'report-dir'?: string;
  'save-all'?: boolean;
  'save-baseline'?: string;
  spawner?: string;
  'ring-events': string;
  stacks?: string;
  expect: string;
  early?: boolean;
  chaos?: boolean;
  'chaos-intensity'?: string;
  seed?: string;
  json?: boolean;
  quiet?: boolean;
}

export function faultHelp(): string {
  return Object.entries(FAULT_EXPECTATIONS)
    .map(([f, e]) => `  ${f.padEnd(22)} ${e.summary} (expect: ${e.kind}${e.completes ? ', completes' : ''})`)
    .join('\n');
}

export function withRunOptions<T>(y: Argv<T>): Argv<T & RunArgs> {
  return y
    .positional('N', { type: 'string', describe: `slaves (1..${MAX_SLAVES}; at most ${MAX_NODE_SLAVES} with --runtime node, each a whole Node process)`, default: '2' })
    .option('variant', { choices: VARIANTS, describe: 'MVar implementation [default: original, or fixed with --fault]' })
    .option('fault', { choices: FAULTS, default: 'none', describe: 'stage a failure on top of fixed (see below)' })
    .option('runtime', { choices: RUNTIMES, default: 'native', describe: 'slave runtime' })
    .option('slave-thread', { choices: SLAVE_THREADS, describe: `with --runtime node: the blocking call on a libuv worker thread or the main thread [default: ${DEFAULTS.slaveThread}]` })
    .option('rounds', { type: 'string', default: '10', describe: 'take/put rounds per slave' })
    .option('timeout', { type: 'string', default: '10s', describe: 'iteration deadline (500ms, 5s, 10m)' })
    .option('stall', { type: 'string', describe: 'no event for this long = stuck [default: 2s, or half of a --timeout not above it]' })
    .option('iterations', { type: 'string', describe: 'run K iterations' })
    .option('until-hang', { type: 'boolean', describe: 'loop until an iteration hangs' })
    .option('duration', { type: 'string', describe: 'loop for this long' })
    .option('report-dir', { type: 'string', describe: 'where run folders go [default: reports/; given explicitly, good runs are saved too]' })
    .option('save-all', { type: 'boolean', describe: 'write a report for good iterations too' })
    .option('save-baseline', { type: 'string', describe: 'store the first completed iteration as a known-good baseline <report-dir>/baselines/NAME' })
    .option('spawner', { choices: ['forkserver', 'execa'], describe: `how native processes start (Node slaves always start with execa) [default: ${DEFAULTS.spawner}]` })
    .option('ring-events', { type: 'string', default: '4096', describe: 'trace ring capacity per process' })
    .option('stacks', { type: 'string', describe: `native stacks of up to this many stuck processes per hang (0: none; needs gdb or eu-stack) [default: ${DEFAULTS.stacks}]` })
    .option('expect', {
      choices: ['none', 'hang'],
      default: 'none',
      describe: 'none: exit 1 on a hang; hang: exit 0 only if a hang reproduced (a reproducer that stops reproducing fails)',
    })
    .option('early', {
      type: 'boolean',
      default: true,
      describe: 'report a hang the moment it is proven (a wait nothing can ever end); --no-early waits for --timeout',
    })
    .option('chaos', {
      type: 'boolean',
      describe: 'perturb scheduling while each iteration runs (freeze random processes briefly, move them between CPUs, change their nice values) to make rare interleavings common',
    })
    .option('chaos-intensity', { type: 'string', describe: `with --chaos: 1 (gentle) to 10 (a freeze every 0.5 ms) [default: ${DEFAULTS.chaosIntensity}]` })
    .option('seed', { type: 'string', describe: 'with --chaos: the seed of its decisions (recorded in every report) [default: random]' })
    .option('json', { type: 'boolean', describe: 'machine summary on stdout only' })
    .option('quiet', { type: 'boolean', describe: 'print only the final line' }) as unknown as Argv<T & RunArgs>;
}

/**
 * Options given where they do nothing, each with why (one warning line each
 * on stderr; the run goes on). Every rule is a pair `run` and `soak` share;
 * a command's own pairs are checked by that command.
 */
export function ignoredOptions(a: RunArgs): string[] {
  const nodeSlaves = a.runtime === 'node';
  const rules: [given: unknown, ignored: boolean, why: string][] = [
    [a.seed, !a.chaos, '--seed has no effect without --chaos (it seeds the chaos decisions)'],
    [a['chaos-intensity'], !a.chaos, '--chaos-intensity has no effect without --chaos'],
    [a['slave-thread'], !nodeSlaves, '--slave-thread has no effect without --runtime node (native slaves have one thread)'],
    [a.spawner, nodeSlaves, '--spawner has no effect with --runtime node (Node slaves always start with execa)'],
    [a.quiet, Boolean(a.json), '--quiet has no effect with --json (stdout holds only the JSON summary)'],
  ];
  return rules.filter(([given, ignored]) => given !== undefined && given !== false && ignored).map(([, , why]) => why);
}

export function parseCount(text: string | undefined, what: string, min: number, max: number): number {
  const t = String(text ?? '').trim();
  if (!/^\d+$/.test(t)) throw new UsageError(`${what} must be a whole number from ${min} to ${max} (got '${text}')`);
  const n = Number(t);
  if (n < min) throw new UsageError(`${what} must be at least ${min} (got ${n})`);
  if (n > max) throw new UsageError(`${what} = ${n} is above the cap of ${max}`);
  return n;
}

export function parseSlaves(text: string | undefined): number {
  const t = String(text ?? '').trim();
  if (/^\d+$/.test(t) && Number(t) > MAX_SLAVES)
    throw new UsageError(`N = ${t} is above the cap of ${MAX_SLAVES} slaves (each slave is a process)`);
  return parseCount(text, 'N', 1, MAX_SLAVES);
}

export function baselineName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new UsageError(`--save-baseline: '${name}' is not a baseline name (letters, digits, . _ -; up to 64)`);
  return name;
}

export interface LoopArgs {
  config: RunConfig;
  iterations: number | undefined;
  durationMs: number | undefined;
  untilHang: boolean;
  reportDir: string;
  saveAll: boolean;
  saveBaseline: string | undefined;
  stacks: number;
  expectHang: boolean;
}

export function loopArgs(a: RunArgs): LoopArgs {
  const nslaves = parseSlaves(a.N);
  const fault = a.fault as Fault;
  if (fault !== 'none' && a.variant === 'original')
    throw new UsageError(`--fault ${fault} is staged on the fixed variant; drop --variant original`);
  const variant = (a.variant ?? (fault !== 'none' ? 'fixed' : 'original')) as Variant;
  if (nslaves < faultMinSlaves(fault)) throw new UsageError(`--fault ${fault} needs at least ${faultMinSlaves(fault)} slaves`);
  const timeoutMs = parseDuration(a.timeout, '--timeout');
  // Below the deadline, or nothing could be called stuck before it; only a --stall the user gave is worth a warning.
  const halfTimeout = Math.max(1, Math.floor(timeoutMs / 2));
  let stallMs = a.stall === undefined ? DEFAULT_STALL_MS : parseDuration(a.stall, '--stall');
  if (stallMs >= timeoutMs) {
    if (a.stall !== undefined) warn(`--stall ${a.stall} is not shorter than --timeout ${a.timeout}; using ${halfTimeout}ms`);
    stallMs = halfTimeout;
  }
  for (const w of ignoredOptions(a)) warn(w);
  const runtime = a.runtime as Runtime;
  if (runtime === 'node' && nslaves > MAX_NODE_SLAVES)
    throw new UsageError(`--runtime node: N = ${nslaves} is above ${MAX_NODE_SLAVES} (each Node slave is a ~45 MB process); use --runtime native for large N`);
  const config: RunConfig = {
    nslaves,
    variant,
    fault,
    runtime,
    slaveThread: (a['slave-thread'] ?? DEFAULTS.slaveThread) as SlaveThread,
    rounds: parseCount(a.rounds, '--rounds', 1, 1_000_000),
    timeoutMs,
    stallMs,
    pollMs: Math.min(50, Math.max(5, Math.floor(stallMs / 4))),
    ringEvents: parseCount(a['ring-events'], '--ring-events', 16, 1 << 20),
    spawner: runtime === 'node' ? 'execa' : ((a.spawner ?? DEFAULTS.spawner) as RunConfig['spawner']),
    early: a.early !== false,
    chaos: a.chaos
      ? {
          seed: a.seed === undefined ? randomInt(1, 2 ** 31) : parseCount(a.seed, '--seed', 0, 2 ** 32 - 1),
          intensity: parseCount(a['chaos-intensity'] ?? DEFAULTS.chaosIntensity, '--chaos-intensity', 1, 10),
        }
      : null,
  };
  return {
    config,
    iterations: a.iterations === undefined ? undefined : parseCount(a.iterations, '--iterations', 1, Number.MAX_SAFE_INTEGER),
    durationMs: a.duration === undefined ? undefined : parseDuration(a.duration, '--duration', MAX_LOOP_MS),
    untilHang: Boolean(a['until-hang']),
    reportDir: a['report-dir'] ?? 'reports',
    saveAll: Boolean(a['save-all']) || a['report-dir'] !== undefined,
    saveBaseline: a['save-baseline'] === undefined ? undefined : baselineName(a['save-baseline']),
    stacks: parseCount(a.stacks ?? DEFAULTS.stacks, '--stacks', 0, MAX_SLAVES + 1),
    expectHang: a.expect === 'hang',
  };
}
