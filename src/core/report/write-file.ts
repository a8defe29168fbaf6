// Every file the tool writes on its own (summaries, JUnit, exports, -o) goes
// through here, whatever the path given is:
//
//   - nothing there, or a regular file: written atomically — a temporary file
//     created exclusively (O_EXCL, O_NOFOLLOW) under an unpredictable name in
//     the same folder, then renamed over the path, so a reader never sees
//     half a file and nobody can plant the temporary name in advance;
//   - a FIFO or a character device (/dev/null, a terminal, a pipe): written
//     straight into, opened non-blocking (a FIFO nobody reads is one line,
//     not a hang) and never replaced, so `--junit /dev/null` stays a device;
//   - a symbolic link: followed only when it belongs to this user or root
//     (as the kernel's protected_symlinks does in sticky folders); the write
//     then goes to what it points at by the rules above — a link to a
//     regular file replaces that file atomically and the link stays. A link
//     to one of our own descriptors (/dev/stdout, /dev/fd/N, /proc/self/fd/N)
//     is written into that descriptor, whatever it is — a pipe, a terminal,
//     the file the shell redirected it to (`>> log` keeps the log) — and one
//     of another process's is appended to;
//     Someone else's link, or a link to nothing, is refused: it could point
//     anywhere we can write;
//   - a directory, a block device or a socket: refused.
//
// As root, the folder of an atomic write must be one no other user can
// change (system/file-checks.ts), and an existing file of another user is
// never replaced or written into. Refusals are UsageError lines (exit 2);
// failures of the write itself are EnvironmentError lines (exit 3), after
// which no temporary file is left.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { describeFsError, EnvironmentError, UsageError } from '../system/errors.js';
import { checkTrustedFolder, fileKind, ownedByUsOrRoot, refuseKernelFs, runningAsRoot, trustedLink } from '../system/file-checks.js';

/** How the text reaches `path`. */
type Plan =
  | { kind: 'atomic'; path: string }
  | { kind: 'straight'; path: string; st: Stats; follow: boolean; append: boolean }
  | { kind: 'descriptor'; path: string; fd: number };

const { O_APPEND, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = constants;

/** A process's descriptor as a path: /proc/self/fd/1, /proc/123/task/124/fd/2. */
const FD_PATH = /^\/proc\/(self|thread-self|\d+)\/(?:task\/(\d+)\/)?fd\/(\d+)$/;
/** Most links followed while looking for one (the kernel's own limit). */
const MAX_HOPS = 40;

/**
 * Where the path leads, hop by hop, when it leads to a descriptor path
 * (/dev/stdout -> /proc/self/fd/1): the descriptor, and whether it is one of
 * ours; null for any other path.
 */
function descriptorPath(abs: string): { fd: number; ours: boolean } | null {
  let p = abs;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    try {
      const here = join(realpathSync(dirname(p)), basename(p));
      const m = FD_PATH.exec(here);
      if (m) return { fd: Number(m[3]), ours: m[1] === 'self' || m[1] === 'thread-self' || Number(m[1]) === process.pid };
      if (!lstatSync(here).isSymbolicLink()) return null;
      p = resolve(dirname(here), readlinkSync(here));
    } catch {
      return null;
    }
  }
  return null;
}

/** The descriptor of ours `path` names (/dev/stdout: 1), or null: a command writes such output as it writes to stdout. */
export function ownDescriptor(path: string): number | null {
  const d = descriptorPath(resolve(path));
  return d?.ours ? d.fd : null;
}

/** How long a FIFO or terminal may take no byte before the write gives up (a reader that stopped reading). */
const STALL_MS = 10_000;
/** Pause between tries while it takes none. */
const RETRY_MS = 10;

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsageError(`${path}: ${describeFsError(e)}`);
  }
}

/** As root, another user's file is neither replaced nor written into. */
function refuseOthers(path: string, st: Stats, label: string): void {
  if (runningAsRoot() && !ownedByUsOrRoot(st) && !st.isCharacterDevice())
    throw new UsageError(`${label}${path}: belongs to uid ${st.uid}: as root, mvar-repro does not replace or write into another user's file`);
}

/** The folder an atomic write creates its temporary file in: a real, writable place no other user controls (as root). */
function checkFolderOf(path: string, label: string): void {
  const dir = dirname(path);
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (e) {
    throw new UsageError(`${label}${path}: cannot write in ${dir}: ${describeFsError(e)}`);
  }
  if (!st.isDirectory()) throw new UsageError(`${label}${path}: cannot write in ${dir}: not a directory`);
  refuseKernelFs(dir, `${label}${path}`);
  checkTrustedFolder(dir, `${label}${path}`);
}

/** Decides how to write `path` (refusing what must not be written), without opening anything. */
export function planOutput(path: string, label = ''): Plan {
  if (!path.trim()) throw new UsageError(`${label}'${path}': an empty path`);
  const abs = resolve(path);
  const st = lstatOrNull(abs);
  if (!st) {
    checkFolderOf(abs, label);
    return { kind: 'atomic', path: abs };
  }
  let target = st;
  let real = abs;
  if (st.isSymbolicLink()) {
    if (!trustedLink(st)) throw new UsageError(`${label}${path}: a symbolic link of uid ${st.uid}: not followed (give the path it points to)`);
    try {
      target = statSync(abs);
      real = target.isFile() ? realpathSync(abs) : abs;
    } catch {
      throw new UsageError(`${label}${path}: a symbolic link to nothing: not followed (give the path to create)`);
    }
  }
  if (target.isDirectory()) throw new UsageError(`${label}${path}: is a directory`);
  refuseOthers(path, target, label);
  const fdPath = st.isSymbolicLink() ? descriptorPath(abs) : null;
  if (fdPath?.ours) return { kind: 'descriptor', path: abs, fd: fdPath.fd };
  if (fdPath && target.isFile()) return { kind: 'straight', path: abs, st: target, follow: true, append: true };
  if (target.isFIFO() || target.isCharacterDevice()) return { kind: 'straight', path: abs, st: target, follow: st.isSymbolicLink(), append: false };
  if (!target.isFile()) throw new UsageError(`${label}${path}: ${fileKind(target)}: mvar-repro writes only into a file, a FIFO or a character device`);
  checkFolderOf(real, label);
  return { kind: 'atomic', path: real };
}

/** Before a run: refuses an output path (flag: "--junit") by the same rules the write will apply. */
export function checkOutputFile(path: string, flag: string): void {
  planOutput(path, `${flag} `);
}

/** A temporary name beside `path` that nobody can guess: created with O_EXCL, so a planted one fails instead of being used. */
const tmpNameFor = (path: string) => join(dirname(path), `.${basename(path).slice(0, 100)}.${randomBytes(8).toString('hex')}.tmp`);

/**
 * The bytes written into fd, which may be non-blocking: yields how long to
 * wait each time the other end takes nothing, and gives up after STALL_MS
 * without progress. One loop for the synchronous and the asynchronous writer.
 */
function* writeSteps(fd: number, data: Buffer, path: string): Generator<number, void, void> {
  let off = 0;
  let stalled = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
      stalled = 0;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      if (stalled >= STALL_MS) throw new EnvironmentError(`cannot write ${path}: nothing was read from it for ${STALL_MS / 1000}s`);
      stalled += RETRY_MS;
      yield RETRY_MS;
    }
  }
}

/** Opens a FIFO, character device or descriptor for writing without waiting for a reader; checks it is still what was planned. */
function openStraight(plan: Extract<Plan, { kind: 'straight' }>): number {
  let fd: number;
  try {
    fd = openSync(plan.path, O_WRONLY | O_NONBLOCK | O_NOCTTY | (plan.follow ? 0 : O_NOFOLLOW) | (plan.append ? O_APPEND : 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EnvironmentError(`cannot write ${plan.path}: ${code === 'ENXIO' ? 'a FIFO that nobody reads' : describeFsError(e)}`);
  }
  const st = fstatSync(fd);
  if (st.dev !== plan.st.dev || st.ino !== plan.st.ino) {
    closeSync(fd);
    throw new EnvironmentError(`cannot write ${plan.path}: replaced while it was opened`);
  }
  return fd;
}

/** Creates the temporary file of an atomic write. */
function openTemporary(path: string): { fd: number; tmp: string } {
  const tmp = tmpNameFor(path);
  try {
    return { fd: openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY, 0o666), tmp };
  } catch (e) {
    throw new EnvironmentError(`cannot write ${path}: ${describeFsError(e)}`);
  }
}

function removeQuietly(tmp: string): void {
  try {
    unlinkSync(tmp); // never recursive: it is the one file we created
  } catch {
    // already gone
  }
}

/** Runs the write of `data` per `plan`, yielding how long to wait whenever a FIFO or terminal takes nothing. */
function* writePlanned(plan: Plan, data: Buffer): Generator<number, void, void> {
  if (plan.kind === 'descriptor') {
    // Ours, shared with whoever else writes it (the shell's redirection, our own stdout): never closed here.
    try {
      yield* writeSteps(plan.fd, data, plan.path);
    } catch (e) {
      if (e instanceof EnvironmentError) throw e;
      throw new EnvironmentError(`cannot write ${plan.path}: ${describeFsError(e)}`);
    }
    return;
  }
  const { fd, tmp } = plan.kind === 'straight' ? { fd: openStraight(plan), tmp: null } : openTemporary(plan.path);
  let open = true;
  try {
    yield* writeSteps(fd, data, plan.path);
    open = false;
    closeSync(fd);
    if (tmp) renameSync(tmp, plan.path);
  } catch (e) {
    if (open) closeSync(fd);
    if (tmp) removeQuietly(tmp);
    if (e instanceof EnvironmentError) throw e;
    throw new EnvironmentError(`cannot write ${plan.path}: ${describeFsError(e)}`);
  }
}

/** Writes `text` to `path` by the rules above (atomically, when it is a regular file). */
export async function writeFileAtomic(path: string, text: string | Buffer): Promise<void> {
  for (const ms of writePlanned(planOutput(path), Buffer.from(text))) await sleep(ms);
}

/** The same, synchronously: for writes that must finish inside an exit hook (JUnit). */
export function writeFileAtomicSync(path: string, text: string | Buffer): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const ms of writePlanned(planOutput(path), Buffer.from(text))) Atomics.wait(pause, 0, 0, ms);
}
