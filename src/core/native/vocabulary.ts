// The names shared by the C core, the reports and every reader. The numeric
// values live in the C core only (native/layout_table.c); layout.ts checks at
// load time that both sides know exactly the same names.

export const VARIANTS = ['original', 'fixed'] as const;
export type Variant = (typeof VARIANTS)[number];

export const FAULTS = ['none', 'kill-holder', 'kill-holder-nonrobust', 'lose-value', 'stop-slave', 'abba'] as const;
export type Fault = (typeof FAULTS)[number];

export const ROLES = ['master', 'slave', 'producer', 'consumer', 'thread'] as const;
export type Role = (typeof ROLES)[number];

export const SLOT_STATES = ['free', 'registered', 'running', 'done', 'failed'] as const;
export type SlotState = (typeof SLOT_STATES)[number];

export const OPS = [
  'none',
  'take',
  'put',
  'abba',
  'mutex-init',
  'mutex-destroy',
  'mutex-lock',
  'mutex-trylock',
  'mutex-timedlock',
  'mutex-clocklock',
  'mutex-unlock',
  'cond-init',
  'cond-destroy',
  'cond-wait',
  'cond-timedwait',
  'cond-clockwait',
  'cond-signal',
  'cond-broadcast',
  'sem-init',
  'sem-destroy',
  'sem-wait',
  'sem-timedwait',
  'sem-post',
  'sem-trywait',
  'sem-clockwait',
] as const;
/** Ops of a traced program's intercepted calls (the rest are the MVar's). */
export const CALL_OPS = OPS.slice(4);
export type Op = (typeof OPS)[number];

export const PHASES = [
  'enter',
  'lock-timeout',
  'locked',
  'wait-begin',
  'wait-end',
  'wait-timeout',
  'copied',
  'signalled',
  'unlocked',
  'done',
  'owner-died',
  'error',
  'lock-begin',
] as const;
export type Phase = (typeof PHASES)[number];

/** The condvar a `signalled` event names in its aux field. */
export const CONDVARS = ['canPut', 'canTake'] as const;
export type Condvar = (typeof CONDVARS)[number];

/** The code of every error the addon throws (mvr_err_name in native/segment.c). */
export const ADDON_ERROR_CODES = [
  'EARG',
  'ENOENT',
  'EACCES',
  'ESEGSIZE',
  'ESEGMAGIC',
  'ESEGVERSION',
  'ESEGBOUNDS',
  'ESYS',
  'EEXIST',
  'ECLOSED',
  'EBUSY',
  'EMVAR',
] as const;
export type AddonErrorCode = (typeof ADDON_ERROR_CODES)[number];

export const RUNTIMES = ['native', 'node'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export const SLAVE_THREADS = ['worker', 'main'] as const;
export type SlaveThread = (typeof SLAVE_THREADS)[number];

/** What the staged fault is expected to produce (README, `run --help`). */
export const FAULT_EXPECTATIONS: Record<Exclude<Fault, 'none'>, { summary: string; kind: string; completes: boolean }> =
  {
    'kill-holder': {
      summary: 'slave 1 is SIGKILLed holding the robust mutex (in its first take, after the copy; the other slaves start once it has struck); the next locker gets EOWNERDEAD and recovers',
      kind: 'owner-died (recovered)',
      completes: true,
    },
    'kill-holder-nonrobust': {
      summary: 'slave 1 is SIGKILLed holding a non-robust mutex (in its first take, after the copy); every other locker waits for a dead owner',
      kind: 'owner-died',
      completes: false,
    },
    'lose-value': {
      summary: 'slave 1 takes one value beyond its share and exits with it; the last taker waits on an empty box',
      kind: 'no-waker',
      completes: false,
    },
    'stop-slave': {
      summary: 'slave 1 is SIGSTOPped holding the mutex (in its first take, after the copy); every other locker times out behind it',
      kind: 'stopped',
      completes: false,
    },
    abba: {
      summary: 'slaves 1 and 2 take two shared mutexes in opposite order (untimed) and deadlock',
      kind: 'deadlock-cycle',
      completes: false,
    },
  };

/** Minimum number of slaves a fault needs. */
export function faultMinSlaves(f: Fault): number {
  return f === 'abba' || f === 'lose-value' ? 2 : 1;
}

/** How a process of our runs is named everywhere a person reads: "master", "slave 3". */
export function processLabel(p: { role: string; id: number }): string {
  return p.role === 'master' ? 'master' : `${p.role} ${p.id}`;
}

/** "slave 3 (pid 4127)". */
export function processLabelWithPid(p: { role: string; id: number; pid: number }): string {
  return `${processLabel(p)} (pid ${p.pid})`;
}

/** How the watchdog names the state of one process of our runs (run/watchdog.ts decides it). */
export const CLASSIFICATIONS = ['done', 'running', 'stuck', 'starving', 'exited-with-error', 'killed'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];
