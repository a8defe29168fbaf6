// Call sites named as function and file:line, for a non-PIE executable
// (absolute link-time addresses), a PIE and a shared library (addresses
// relative to their load base): the link-time address of a return address
// inside a function names that function and a line of it in all three.
import { execa } from 'execa';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chainText, describeAddresses, symbolizerTool } from '../../../src/core/system/symbols.js';
import { ROOT, tmp } from '../../helpers.js';

let dir: string;
/** A function's link-time address, from the object's symbol table. */
async function symbol(object: string, name: string): Promise<bigint> {
  const { stdout } = await execa('nm', [object]);
  const line = stdout.split('\n').find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`${name} not in ${object}`);
  return BigInt(`0x${line.split(' ')[0]}`);
}

beforeAll(async () => {
  dir = tmp();
  const src = join(ROOT, 'test', 'c');
  await execa('cc', ['-g', '-O1', '-no-pie', '-o', join(dir, 'nopie'), join(src, 'lockorder.c'), '-lpthread', '-ldl']);
  await execa('cc', ['-g', '-O1', '-pie', '-fPIE', '-o', join(dir, 'pie'), join(src, 'lockorder.c'), '-lpthread', '-ldl']);
  await execa('cc', ['-g', '-O1', '-shared', '-fPIC', '-o', join(dir, 'liblockpair.so'), join(src, 'lockpair.c'), '-lpthread']);
}, 60_000);

describe('symbols', () => {
  it('names a function and its file:line in a non-PIE executable, a PIE and a shared library', async (ctx) => {
    if (!symbolizerTool()) return ctx.skip('no addr2line, eu-addr2line or llvm-addr2line here');
    const cases = [
      { module: join(dir, 'nopie'), fn: 'parent_takes_a_then_b', file: 'lockorder.c' },
      { module: join(dir, 'pie'), fn: 'parent_takes_a_then_b', file: 'lockorder.c' },
      { module: join(dir, 'liblockpair.so'), fn: 'lockpair_take', file: 'lockpair.c' },
    ];
    const addrs = await Promise.all(cases.map(async (c) => ({ module: c.module, addr: `0x${((await symbol(c.module, c.fn)) + 8n).toString(16)}` })));
    // The non-PIE's addresses are absolute (0x40…), the others' small offsets.
    expect(BigInt(addrs[0]!.addr)).toBeGreaterThan(0x400000n);
    expect(BigInt(addrs[1]!.addr)).toBeLessThan(0x100000n);
    const { described, notes } = describeAddresses(addrs);
    expect(notes).toEqual([]);
    cases.forEach((c, i) => expect(chainText(described, [addrs[i]!])).toMatch(new RegExp(`^${c.fn} \\(${c.file.replace('.', '\\.')}:\\d+\\) in ${c.module.replace(/[.]/g, '\\.')}$`)));
  });

  it('an object that is not a regular file, or is gone, is never opened: its sites are object+offset', () => {
    const { described } = describeAddresses([{ module: '/dev/zero', addr: '0x10' }, { module: join(dir, 'gone'), addr: '0x20', sym: 'f+0x4' }]);
    expect(chainText(described, [{ module: '/dev/zero', addr: '0x10' }])).toBe('/dev/zero+0x10');
    expect(chainText(described, [{ module: join(dir, 'gone'), addr: '0x20', sym: 'f+0x4' }])).toBe(`f+0x4 in ${join(dir, 'gone')}`);
  });
});
