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
//     then goes to what it points at by the rules above — a link to
//     /dev/stdout writes into the pipe, a link to a regular file replaces that
//     file atomically and the link stays. Someone else's link, or a link to
//     nothing, is refused: it could point anywhere we can write;
//   - a directory, a block device or a socket: refused.
//
// As root, the folder of an atomic write must be one no other user can
// change (system/file-checks.ts), and an existing file of another user is
// never replaced or written into. Refusals are UsageError lines (exit 2);
// failures of the write itself are EnvironmentError lines (exit 3), after
// which no temporary file is left.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { describeFsError, EnvironmentError, UsageError } from '../system/errors.js';
import { checkTrustedFolder, fileKind, ownedByUsOrRoot, refuseKernelFs, runningAsRoot, trustedLink } from '../system/file-checks.js';

/** How the text reaches `path`. */
type Plan = { kind: 'atomic'; path: string } | { kind: 'straight'; path: string; st: Stats; follow: boolean };

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = constants;

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
  if (target.isFIFO() || target.isCharacterDevice()) return { kind: 'straight', path: abs, st: target, follow: st.isSymbolicLink() };
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

/** Opens a FIFO or character device for writing without waiting for a reader; checks it is still what was planned. */
function openStraight(plan: Extract<Plan, { kind: 'straight' }>): number {
  let fd: number;
  try {
    fd = openSync(plan.path, O_WRONLY | O_NONBLOCK | O_NOCTTY | (plan.follow ? 0 : O_NOFOLLOW));
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
