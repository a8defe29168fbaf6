// Writes a run folder atomically: everything goes into a hidden temporary
// folder beside the final one, which is renamed into place last. A CLI killed
// half way leaves at most a ".tmp-…" folder, never half a report.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { EnvironmentError } from '../system/errors.js';
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

export function runFolderName(report: RunReport): string {
  const c = report.config;
  const what = c.fault !== 'none' ? c.fault : c.variant;
  return `${stamp(report.timing.startedAt)}-${what}-n${c.nslaves}${shardTag(report.shard)}-i${report.iteration}-${report.verdict}-${randomBytes(2).toString('hex')}`;
}

async function writeEvents(path: string, events: TraceEvent[]): Promise<void> {
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
    await rm(tmp, { recursive: true, force: true });
    throw new EnvironmentError(`cannot write a report under ${root}: ${(e as Error).message}`);
  }
}

/** Writes one file atomically (temporary name, then rename); a failure is one EnvironmentError line. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new EnvironmentError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
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
