// The write guard: a CLI killed by SIGKILL in the middle of rewriting a file
// leaves no temporary of it; what was there before, and the file, stay.
import { execa } from 'execa';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tmp, until } from '../../helpers.js';

/** A Node process that guards dir/j.xml, makes temporaries of it as writers do, says "made" and waits to be killed. */
const CHILD = `
const { WriteGuard } = await import(${JSON.stringify(join(ROOT, 'dist', 'core', 'soak', 'write-guard.js'))});
const { writeFileSync } = await import('node:fs');
const dir = process.argv[1];
const guard = await WriteGuard.start(dir + '/j.xml');
if (!guard) throw new Error('no guard');
writeFileSync(dir + '/.j.xml.0123456789abcdef.tmp', 'half');
writeFileSync(dir + '/j.xml.tmp-123-abcdef', 'half');
writeFileSync(dir + '/other.tmp', 'not ours');
if (process.argv[2] === 'close') { await guard.close(); console.log('closed'); process.exit(0); }
console.log('made');
setInterval(() => {}, 1000);
`;

describe('write guard', () => {
  it('SIGKILL of its CLI: the temporaries made meanwhile go; the file, older temporaries and other files stay', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'j.xml'), '<old/>');
    writeFileSync(join(dir, '.j.xml.before.tmp'), 'someone else');
    const child = execa(process.execPath, ['--input-type=module', '-e', CHILD, dir], { reject: false });
    await new Promise<void>((r) => child.stdout!.once('data', () => r()));
    child.kill('SIGKILL');
    await child;
    expect(await until(() => !existsSync(join(dir, '.j.xml.0123456789abcdef.tmp')), 3000)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['.j.xml.before.tmp', 'j.xml', 'other.tmp']);
  });

  it('closed by its CLI: it touches nothing', async () => {
    const dir = tmp();
    const r = await execa(process.execPath, ['--input-type=module', '-e', CHILD, dir, 'close']);
    expect(r.stdout).toBe('closed');
    expect(readdirSync(dir).sort()).toEqual(['.j.xml.0123456789abcdef.tmp', 'j.xml.tmp-123-abcdef', 'other.tmp']);
  });
});
