// Writes report folders atomically: everything goes into a temporary folder
// beside the final one (created exclusively under an unpredictable name,
// readable by us alone while it fills), which is renamed into place last. A
// CLI killed half way leaves at most a ".tmp-…" folder, never half a report.
// Nothing is ever removed recursively: a folder of ours is emptied one level
// deep with unlink (which never follows a symlink) and then removed. Single
// files (summaries, JUnit, exports) are written by write-file.ts.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, createWriteStream, mkdirSync, readdirSync, rmdirSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { chmod, mkdtemp, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { describeFsError, EnvironmentError, UsageError } from '../system/errors.js';
import { checkTrustedFolder, fileKind, refuseKernelFs } from '../system/file-checks.js';
import type { TraceEvent } from '../native/layout.js';
import type { RunReport, Shard } from './types.js';
import { EVENTS_FILE, REPORT_FILE } from './types.js';

import { writeFileAtomic } from './write-file.js';
import { jsonText } from '../system/json.js';

export { checkOutputFile, ownDescriptor, writeFileAtomic, writeFileAtomicSync } from './write-file.js';

/** An ISO time as folder names carry it: 20261122-042245Z. */
export function stamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
}

export function shardTag(shard: Shard | null): string {
  return shard ? `-s${shard.index}of${shard.count}` : '';
}

/** A folder name no other run gets: two runs in one second, or two CLIs on one report dir, each keep their own. */
export function uniqueFolderName(base: string): string {
  return `${base}-${randomBytes(2).toString('hex')}`;
}

export function runFolderName(report: RunReport): string {
  const c = report.config;
  const what = c.fault !== 'none' ? c.fault : c.variant;
  return uniqueFolderName(`${stamp(report.timing.startedAt)}-${what}-n${c.nslaves}${shardTag(report.shard)}-i${report.iteration}-${report.verdict}`);
}

export async function writeEvents(path: string, events: TraceEvent[]): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  for (const e of events) {
    chunk += `${JSON.stringify(e)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/**
 * Creates every missing folder of `dir` one by one, refusing (one UsageError
 * line, starting with `named`) a kernel file system and a part of the path
 * that is not a directory.
 * Not Node's recursive mkdir: under /proc it retries for ever.
 */
export function makeFolder(dir: string, named: string): void {
  if (!dir.trim()) throw new UsageError(`${named}: an empty path`);
  const abs = resolve(dir);
  refuseKernelFs(abs, named);
  // As root: nothing is made on a path another user could redirect (checked again once it exists).
  checkTrustedFolder(abs, named);
  const missing: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && p !== dirname(p)) {
        missing.push(p);
        continue;
      }
      throw new UsageError(`${named}: ${describeFsError(e)}`);
    }
    if (!st.isDirectory()) throw new UsageError(`${named}: ${p === abs ? '' : `${p} is `}${fileKind(st)}, not a directory`);
    break;
  }
  for (const p of missing.reverse())
    try {
      mkdirSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(p).isDirectory()) throw new UsageError(`${named}: cannot create ${p}: ${describeFsError(e)}`);
    }
}

/** Before a run: a report folder must be a directory we can write in (created if missing), and, as root, one no other user can change. */
export function checkReportDir(dir: string, flag: string): void {
  makeFolder(dir, `${flag} ${dir}`);
  try {
    accessSync(resolve(dir), constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new UsageError(`${flag} ${dir}: ${describeFsError(e)}`);
  }
  checkTrustedFolder(dir, `${flag} ${dir}`);
}

/** Empties a folder of ours one level deep and removes it; whatever cannot go (a folder someone put inside) stays. */
function removeOwnFolder(dir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names)
    try {
      unlinkSync(join(dir, n));
    } catch {
      try {
        rmdirSync(join(dir, n));
      } catch {
        // not empty: left as it is
      }
    }
  try {
    rmdirSync(dir);
  } catch {
    // something stayed
  }
}

/** The mode a folder gets from mkdir under the current umask. */
const folderMode = () => 0o777 & ~process.umask();

/**
 * Creates folder `name` under dir (created if missing) with what `fill` writes
 * into it, atomically: fill writes into a temporary folder that is renamed
 * into place once complete. With replace, an existing folder of that name is
 * moved aside only then, and removed (one level deep) after. Returns the
 * folder's path; any failure is one EnvironmentError line.
 */
export async function writeFolder(dir: string, name: string, fill: (tmp: string) => Promise<void>, replace = false): Promise<string> {
  const root = resolve(dir);
  const final = join(root, name);
  let tmp: string | null = null;
  try {
    makeFolder(root, root);
    checkTrustedFolder(root, root);
    tmp = await mkdtemp(join(root, `.tmp-${name}-`));
    await fill(tmp);
    await chmod(tmp, folderMode());
    const old = replace ? join(root, `.old-${name}-${randomBytes(8).toString('hex')}`) : null;
    const moved = old ? await rename(final, old).then(() => true, () => false) : false;
    try {
      await rename(tmp, final);
    } catch (e) {
      if (moved) await rename(old!, final).catch(() => undefined); // the folder it was to replace goes back
      throw e;
    }
    tmp = null;
    if (moved) removeOwnFolder(old!);
    return final;
  } catch (e) {
    if (tmp) removeOwnFolder(tmp);
    throw new EnvironmentError(e instanceof UsageError ? `cannot save a report: ${e.message}` : `cannot save a report in ${root}: ${describeFsError(e)}`);
  }
}

/** JSON into a file of a folder that writeFolder renames into place as a whole. */
export function writeJson(path: string, value: unknown): Promise<void> {
  return writeFile(path, `${jsonText(value)}\n`);
}

/** JSON into a file of its own, by write-file.ts's rules. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${jsonText(value)}\n`);
}

/** A run folder: report.json and events.ndjson. */
export function writeRunFolder(dir: string, report: RunReport, events: TraceEvent[], name = runFolderName(report), replace = false): Promise<string> {
  return writeFolder(
    dir,
    name,
    async (tmp) => {
      await writeEvents(join(tmp, EVENTS_FILE), events);
      await writeJson(join(tmp, REPORT_FILE), report);
    },
    replace,
  );
}
