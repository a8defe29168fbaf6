// Reading a file the tool did not create (a report, its events, a soak
// summary, a baseline): it may be a FIFO (a blocking open or read waits for
// ever), a device (/dev/zero never ends), a symlink to one, or a file far
// larger than any the tool writes. Every such read goes through here:
// only a regular file is opened, the open does not wait (O_NONBLOCK), the
// descriptor is checked to be the file that was looked at, and no more than
// the caller's bound is ever read. Each refusal is one UsageError line
// naming the file.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { describeFsError, UsageError } from './errors.js';
import { fileKind } from './file-checks.js';

const MB = 1024 * 1024;
const fmtBytes = (n: number) => (n >= MB ? `${Math.round(n / MB)} MB` : `${n} bytes`);
/** "a report", "an events file". */
const a = (what: string) => `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;

/** Opens `path` for reading if it is a regular file no larger than maxBytes; the caller closes the descriptor. */
function openRegular(path: string, maxBytes: number, what: string): { fd: number; size: number } {
  let seen: Stats;
  try {
    seen = statSync(path);
  } catch (e) {
    throw new UsageError(`${path}: cannot read: ${describeFsError(e)}`);
  }
  if (!seen.isFile()) throw new UsageError(`${path}: ${fileKind(seen)}, not ${a(what)}`);
  if (seen.size > maxBytes) throw new UsageError(`${path}: ${fmtBytes(seen.size)}, larger than ${a(what)} can be (${fmtBytes(maxBytes)})`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new UsageError(`${path}: cannot read: ${describeFsError(e)}`);
  }
  const st = fstatSync(fd);
  if (!st.isFile() || st.dev !== seen.dev || st.ino !== seen.ino) {
    closeSync(fd);
    throw new UsageError(`${path}: replaced while it was opened`);
  }
  return { fd, size: st.size };
}

/** Reads through fd in chunks until end of file, refusing more than maxBytes (a file may grow after its stat). */
function* chunks(fd: number, path: string, maxBytes: number, what: string, chunkBytes = MB): Generator<Buffer> {
  let total = 0;
  const buf = Buffer.allocUnsafe(chunkBytes);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      throw new UsageError(`${path}: cannot read: ${describeFsError(e)}`);
    }
    if (n === 0) return;
    total += n;
    if (total > maxBytes) throw new UsageError(`${path}: larger than ${a(what)} can be (${fmtBytes(maxBytes)})`);
    yield buf.subarray(0, n);
  }
}

/** The whole text of a regular file of at most maxBytes; `what` names it in refusals ("report"). */
export function readBoundedText(path: string, maxBytes: number, what: string): string {
  const { fd, size } = openRegular(path, maxBytes, what);
  try {
    const parts: Buffer[] = [];
    for (const c of chunks(fd, path, maxBytes, what, Math.min(Math.max(size + 1, 4096), MB))) parts.push(Buffer.from(c));
    return Buffer.concat(parts).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Each line of a regular file of at most maxBytes, without the whole file
 * ever being one string; a line longer than maxLineBytes is refused (a file
 * with no newline, say a copy of /dev/zero, stops there).
 */
export function* boundedLines(path: string, maxBytes: number, maxLineBytes: number, what: string): Generator<string> {
  const { fd } = openRegular(path, maxBytes, what);
  try {
    let carry = Buffer.alloc(0);
    let line = 0;
    for (const c of chunks(fd, path, maxBytes, what)) {
      let data = carry.length ? Buffer.concat([carry, c]) : c;
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        line++;
        if (nl - start > maxLineBytes) throw new UsageError(`${path}: line ${line} is longer than a line of ${a(what)} can be (${maxLineBytes} bytes)`);
        yield data.toString('utf8', start, nl);
        start = nl + 1;
      }
      data = data.subarray(start);
      if (data.length > maxLineBytes) throw new UsageError(`${path}: line ${line + 1} is longer than a line of ${a(what)} can be (${maxLineBytes} bytes)`);
      carry = Buffer.from(data);
    }
    if (carry.length) yield carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
