// Writes a run folder atomically: everything goes into a hidden temporary
// folder beside the final one, which is renamed into place last. A CLI killed
// half way leaves at most a ".tmp-…" folder, never half a report.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, createWriteStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { describeFsError, EnvironmentError, UsageError } from '../system/errors.js';
import type { TraceEvent } from '../native/layout.js';
import type { RunReport, Shard } from './types.js';
import { EVENTS_FILE, REPORT_FILE } from './types.js';

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
 * Creates folder `name` under dir (created if missing) with what `fill` writes
 * into it, atomically: fill writes into a hidden temporary folder that is
 * renamed into place once complete. With replace, an existing folder of that
 * name is swapped out only then. Returns the folder's path.
 */
export async function writeFolder(dir: string, name: string, fill: (tmp: string) => Promise<void>, replace = false): Promise<string> {
  const root = resolve(dir);
  const final = join(root, name);
  const tmp = join(root, `.tmp-${name}`);
  const old = join(root, `.old-${name}-${randomBytes(3).toString('hex')}`);
  try {
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await fill(tmp);
    if (replace) await rename(final, old).catch(() => undefined);
    await rename(tmp, final);
    await rm(old, { recursive: true, force: true });
    return final;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw new EnvironmentError(`cannot save a report in ${root}: ${describeFsError(e)}`);
  }
}

const tmpOf = (path: string) => `${path}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;

/**
 * Every file the tool writes on its own (summaries, JUnit, exports) goes
 * through here: a temporary name beside it, then a rename, so a reader never
 * sees half a file; on failure the temporary file is removed and the error is
 * one EnvironmentError line.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = tmpOf(path);
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new EnvironmentError(`cannot write ${path}: ${describeFsError(e)}`);
  }
}

/** The same, synchronously: for writes that must finish inside an exit hook (JUnit). */
export function writeFileAtomicSync(path: string, text: string): void {
  const tmp = tmpOf(path);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing to remove
    }
    throw new EnvironmentError(`cannot write ${path}: ${describeFsError(e)}`);
  }
}

/** Before a run: a report folder must be a directory we can write in (created if missing). */
export function checkReportDir(dir: string, flag: string): void {
  const root = resolve(dir);
  try {
    mkdirSync(root, { recursive: true });
    if (!statSync(root).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(root, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new UsageError(`${flag} ${dir}: ${(e as NodeJS.ErrnoException).code === 'EEXIST' ? 'not a directory' : describeFsError(e)}`);
  }
}

/** Before a run: an output file must go into an existing directory we can write in. */
export function checkOutputFile(path: string, flag: string): void {
  const parent = dirname(resolve(path));
  try {
    if (!statSync(parent).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(parent, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot write in ${parent}: ${describeFsError(e)}`);
  }
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${flag} ${path}: is a directory`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
}

const jsonText = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** JSON into a file of a folder that writeFolder renames into place as a whole. */
export function writeJson(path: string, value: unknown): Promise<void> {
  return writeFile(path, jsonText(value));
}

/** JSON into a file of its own, atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, jsonText(value));
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
