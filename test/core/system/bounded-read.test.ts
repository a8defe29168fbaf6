// The one reader of files the tool did not create: real devices, symlinks
// and oversized files are refused in one line, at once, without an
// unbounded read. (FIFOs: test/cli/hostile-input.test.ts, in a child process
// with a deadline, so that a regression fails instead of hanging the suite.)
import { closeSync, openSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundedLines, readBoundedText } from '../../../src/core/system/bounded-read.js';
import { UsageError } from '../../../src/core/system/errors.js';
import { tmp } from '../../helpers.js';

const MB = 1024 * 1024;

describe('readBoundedText', () => {
  it('reads a regular file within its bound', () => {
    const f = join(tmp(), 'a.json');
    writeFileSync(f, '{"a":1}');
    expect(readBoundedText(f, 100, 'report')).toBe('{"a":1}');
  });

  it('refuses a device, directly or through a symlink (/dev/zero never ends)', () => {
    expect(() => readBoundedText('/dev/zero', MB, 'report')).toThrow(/^\/dev\/zero: a character device, not a report$/);
    const link = join(tmp(), 'events.ndjson');
    symlinkSync('/dev/zero', link);
    expect(() => readBoundedText(link, MB, 'events file')).toThrow(/a character device, not an events file$/);
  });

  it('refuses a directory and a missing file, naming them', () => {
    const d = tmp();
    expect(() => readBoundedText(d, MB, 'report')).toThrow(/a directory, not a report$/);
    expect(() => readBoundedText(join(d, 'gone'), MB, 'report')).toThrow(/gone: cannot read: no such file or directory \(ENOENT\)$/);
  });

  it('refuses a file larger than its bound before reading it (a sparse 100 GB file costs nothing)', () => {
    const f = join(tmp(), 'huge.json');
    writeFileSync(f, '');
    truncateSync(f, 100 * 1024 * MB);
    expect(() => readBoundedText(f, 256 * MB, 'report')).toThrow(/huge\.json: 102400 MB, larger than a report can be \(256 MB\)$/);
  });

  it('the errors are UsageErrors: one line, exit 2', () => {
    expect(() => readBoundedText('/dev/null', MB, 'report')).toThrow(UsageError);
  });
});

describe('boundedLines', () => {
  it('yields each line, the last one with or without a newline', () => {
    const f = join(tmp(), 'e.ndjson');
    writeFileSync(f, 'a\nbb\nccc');
    expect([...boundedLines(f, 100, 10, 'events file')]).toEqual(['a', 'bb', 'ccc']);
  });

  it('stops at a line longer than its bound: a file with no newline is never read whole', () => {
    const f = join(tmp(), 'zeros');
    writeFileSync(f, '');
    truncateSync(f, 64 * MB); // zeros, no newline
    const lines = boundedLines(f, 128 * MB, 4096, 'events file');
    expect(() => lines.next()).toThrow(/zeros: line 1 is longer than a line of an events file can be \(4096 bytes\)$/);
  });

  it('closes the file when the reader stops early', () => {
    const f = join(tmp(), 'e.ndjson');
    writeFileSync(f, 'a\nb\nc\n');
    const before = openSync('/dev/null', 'r');
    closeSync(before);
    for (const l of boundedLines(f, 100, 10, 'events file')) if (l === 'a') break;
    const after = openSync('/dev/null', 'r');
    closeSync(after);
    expect(after).toBe(before); // the descriptor the generator held was given back
  });
});
