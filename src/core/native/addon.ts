// Loads the compiled addon and describes its raw surface. Everything else
// talks to the C core through the typed wrappers in segment.ts and layout.ts.
import { createRequire } from 'node:module';
import { EnvironmentError } from '../system/errors.js';
import { sep } from 'node:path';
import { buildDir, packageRoot } from '../system/paths.js';
import { ADDON_ERROR_CODES, type AddonErrorCode } from './vocabulary.js';

export interface RawField {
  offset: number;
  size: number;
}

export interface RawRegion {
  size: number;
  fields: Record<string, RawField>;
}

export interface RawLayout {
  regions: Record<'header' | 'mvar' | 'slot' | 'ring' | 'event', RawRegion>;
  constants: Record<string, Record<string, number>>;
  magic: string;
}

export interface CreateOptions {
  variant: number;
  fault?: number;
  faultTarget?: number;
  rounds?: number;
  nslaves: number;
  procCapacity?: number;
  ringCapacity?: number;
}

export interface RawReadResult {
  events: Buffer;
  next: number;
  missed: number;
  head: number;
}

export interface RawReadAllResult {
  events: Buffer;
  counts: Uint32Array;
  missed: Float64Array;
}

export interface RawSegment {
  readonly name: string;
  readonly openPath: string;
  readonly size: number;
  close(): void;
  unlink(): boolean;
  register(role: number, id: number): number;
  finish(status: number, reason?: string): void;
  faultPlan(): { abba: boolean; loseValue: boolean; nslaves: number; rounds: number };
  waitForFault(): void;
  takeSync(): bigint;
  putSync(value: bigint | number): void;
  abbaSync(): void;
  take(): Promise<bigint>;
  put(value: bigint | number): Promise<void>;
  abba(): Promise<void>;
  snapshot(): Buffer;
  readEvents(slot: number, from: number): RawReadResult;
  readAll(cursors: Float64Array): RawReadAllResult;
}

export interface RawAddon {
  Segment: {
    create(opts: CreateOptions): RawSegment;
    open(name: string): RawSegment;
  };
  layout(): RawLayout;
  /** dir: the folder to sweep in (default /dev/shm). */
  sweepSegment(name: string, dir?: string): { removed: boolean; reason: string };
  glibcVersion(): string;
  dieWithParent(ppid: number): boolean;
  /** Every Unix socket of this network namespace as (inode, peer inode) pairs; peer 0 is unconnected. */
  unixSockets(): { sockets: Uint32Array; error?: undefined } | { sockets?: undefined; error: string };
  /** Whether two descriptors are one open file description (kcmp KCMP_FILE); null when the kernel will not say. */
  kcmpFile(pid1: number, fd1: number, pid2: number, fd2: number): boolean | null;
  /** The kernel's order of two processes' address spaces (kcmp KCMP_VM): 0 one and the same (clone CLONE_VM, vfork), 1 before, 2 after; null when it will not say. */
  kcmpVm(pid1: number, pid2: number): 0 | 1 | 2 | null;
  /** A System V semaphore set: per semaphore its value, last operator and waiter counts (the first 4,096; count is the set's size). */
  semInfo(semid: number): { count: number; values: Int32Array; pids: Int32Array; ncnt: Int32Array; zcnt: Int32Array; error?: undefined } | { error: string };
  /** A System V message queue: messages queued, capacity, last sender and receiver. */
  msgQueueInfo(msqid: number): { qnum: number; qbytes: number; lspid: number; lrpid: number; error?: undefined } | { error: string };
}

export function addonErrorCode(e: unknown): AddonErrorCode | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return (ADDON_ERROR_CODES as readonly unknown[]).includes(code) ? (code as AddonErrorCode) : undefined;
}

/** What builds the addon here: an installed package (install scripts skipped) or a checkout. */
function howToBuild(): string {
  const root = packageRoot();
  return root.split(sep).includes('node_modules')
    ? "it is built by the package's install script, which was skipped (npm --ignore-scripts?): run 'npm rebuild mvar-repro'"
    : `run 'npm install' (or 'npm run build') in ${root}`;
}

let cached: RawAddon | undefined;

export function addon(): RawAddon {
  if (cached) return cached;
  const path = `${buildDir()}/mvar_repro.node`;
  try {
    cached = createRequire(import.meta.url)(path) as RawAddon;
  } catch (e) {
    throw new EnvironmentError(`native addon not loadable (${path}): ${(e as Error).message.split('\n')[0]}; ${howToBuild()}`);
  }
  return cached;
}
