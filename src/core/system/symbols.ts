// Code addresses as a person reads them: "take_both (abba.c:41) in
// /tmp/abba". The preload library gives each call site as the object it lies
// in and the object's own link-time address (the return address minus the
// load bias), which is what a line-table tool expects for a non-PIE
// executable (bias 0: the absolute address), a PIE and a shared library
// alike. Whichever tool is installed resolves them: binutils addr2line,
// elfutils eu-addr2line or llvm-addr2line, one run per object for all its
// addresses. Without any, or for an object with no symbols, a site is
// "module+0xoffset" (or dladdr's "symbol+0x.." when the library had one),
// and the caller says once why.
//
// The objects are the program's, so each is checked to be a regular file
// before a tool opens it (a FIFO would block it), and every run is bounded in
// time and output.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';

export interface CodeAddress {
  module: string;
  /** Hex link-time address of a return address. */
  addr: string;
  /** dladdr's nearest exported symbol, when the library had one. */
  sym?: string;
}

/** Line-table tools, in the order tried; each takes `-a -f -i -C -e OBJECT ADDR...`. */
const TOOLS = ['addr2line', 'eu-addr2line', 'llvm-addr2line'];
/** One run per object: its addresses, bounded. */
const TOOL_TIMEOUT_MS = 10_000;
const TOOL_MAX_OUTPUT = 4 * 1024 * 1024;

let found: { name: string; path: string } | null | undefined;

/** The first line-table tool on PATH, or null. */
export function symbolizerTool(): { name: string; path: string } | null {
  if (found !== undefined) return found;
  found = null;
  for (const name of TOOLS)
    for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        if (statSync(path).isFile()) return (found = { name, path });
      } catch {
        // not here
      }
    }
  return found;
}

interface Resolved {
  fn: string | null;
  file: string | null;
  line: number | null;
  /** The function it was inlined into, when the compiler inlined it. */
  inlinedInto: string | null;
}

const key = (a: CodeAddress) => `${a.module}\u0000${a.addr}`;
/** Resolved sites survive across calls (a soak resolves the same sites each iteration), keyed by object identity too. */
const cache = new Map<string, Resolved | null>();

function objectIdentity(module: string): string | null {
  try {
    const st = statSync(module);
    return st.isFile() ? `${st.dev}:${st.ino}:${st.mtimeMs}` : null;
  } catch {
    return null;
  }
}

/** addr2line's blocks: "0xADDR" then (function, file:line) pairs, innermost first. */
function parseBlocks(out: string, n: number): (Resolved | null)[] {
  const res: (Resolved | null)[] = [];
  let cur: string[] | null = null;
  const flush = () => {
    if (!cur) return;
    const fn = (i: number) => (cur![i] && cur![i] !== '??' ? cur![i]! : null);
    const loc = /^(.*):(\d+)(?: \(discriminator \d+\))?$/.exec(cur[1] ?? '');
    const file = loc && loc[1] !== '??' && loc[2] !== '0' ? loc[1]! : null;
    res.push(fn(0) || file ? { fn: fn(0), file, line: file ? Number(loc![2]) : null, inlinedInto: fn(2) } : null);
  };
  for (const l of out.split('\n')) {
    if (/^0x[0-9a-f]+$/i.test(l.trim())) {
      flush();
      cur = [];
    } else if (cur && l.trim()) cur.push(l.trim());
  }
  flush();
  return res.length === n ? res : Array<Resolved | null>(n).fill(null);
}

function resolveObject(tool: string, module: string, addrs: string[]): (Resolved | null)[] {
  // A return address points after the call; the call itself is the byte before it.
  const before = addrs.map((a) => `0x${(BigInt(a) - 1n).toString(16)}`);
  const r = spawnSync(tool, ['-a', '-f', '-i', '-C', '-e', module, ...before], { encoding: 'utf8', timeout: TOOL_TIMEOUT_MS, maxBuffer: TOOL_MAX_OUTPUT });
  if (r.status !== 0 || typeof r.stdout !== 'string') return addrs.map(() => null);
  return parseBlocks(r.stdout, addrs.length);
}

/** One address: a label ("take_both (abba.c:41)", "sym+0x1c", or "+0x1234" when nothing names it) and its object. */
interface Named {
  label: string;
  module: string;
  named: boolean;
  /** Named by its function only: the object has no line table (built without -g). */
  noLine?: boolean;
}

function named(a: CodeAddress, r: Resolved | null | undefined): Named {
  if (r?.file) return { label: `${r.fn ?? '??'} (${basename(r.file)}:${r.line}${r.inlinedInto ? `, inlined into ${r.inlinedInto}` : ''})`, module: a.module, named: true };
  if (r?.fn) return { label: r.fn, module: a.module, named: true, noLine: true };
  if (a.sym) return { label: a.sym, module: a.module, named: true };
  return { label: `+${a.addr}`, module: a.module, named: false };
}

export type Described = Map<string, Named>;

/**
 * Every address resolved, and notes for what could not be: no tool to name
 * functions and lines, or objects without line tables (said once each).
 */
export function describeAddresses(addrs: CodeAddress[]): { described: Described; notes: string[] } {
  const tool = symbolizerTool();
  const out: Described = new Map();
  const byModule = new Map<string, CodeAddress[]>();
  for (const a of addrs)
    if (!out.has(key(a))) {
      out.set(key(a), named(a, null));
      byModule.set(a.module, [...(byModule.get(a.module) ?? []), a]);
    }
  for (const [module, list] of byModule) {
    const ident = module ? objectIdentity(module) : null;
    const todo = list.filter((a) => !cache.has(`${ident}\u0000${a.addr}`));
    if (tool && ident && todo.length) resolveObject(tool.path, module, todo.map((a) => a.addr)).forEach((r, i) => cache.set(`${ident}\u0000${todo[i]!.addr}`, r));
    for (const a of list) out.set(key(a), named(a, ident ? cache.get(`${ident}\u0000${a.addr}`) : null));
  }
  const noLines = [...new Set([...out.values()].filter((n) => n.noLine).map((n) => n.module))];
  return {
    described: out,
    notes: [
      ...(tool || !addrs.length ? [] : [`callers are shown as object+offset: no ${TOOLS.slice(0, 2).join(' or ')} on PATH to name functions and lines`]),
      ...noLines.map((m) => `callers in ${m} are named without file:line: it has no debug information (built without -g)`),
    ],
  };
}

/**
 * A call and the functions above it as one text, innermost first:
 * "take (abba.c:41) ← worker (abba.c:60) in /tmp/abba", callers while they
 * lie in the call's own object.
 */
export function chainText(described: Described, chain: CodeAddress[]): string {
  const all = chain.map((a) => described.get(key(a)) ?? named(a, null));
  if (!all.length) return '';
  // Callers in the call's own object only: past it lie the C library's start-up frames, or a runtime's.
  const end = all.findIndex((n) => n.module !== all[0]!.module || !n.named);
  const ns = end === -1 ? all : all.slice(0, Math.max(1, end));
  const oneModule = ns.every((n) => n.module === ns[0]!.module);
  const part = (n: Named) => (n.named ? n.label : `${n.module}${n.label}`);
  if (oneModule && ns[0]!.named) return `${ns.map((n) => n.label).join(' ← ')} in ${ns[0]!.module}`;
  return ns.map((n) => (n.named ? `${n.label} in ${n.module}` : part(n))).join(' ← ');
}
