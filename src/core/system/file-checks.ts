// Checks on paths the tool did not create, made before it reads or writes
// through them: what kind of file an entry is, whether it lies on a kernel
// file system (/proc, /sys, …) where nothing can be stored, whether a symlink
// may be followed, and — as root — whether another user could change a
// folder the tool creates, renames or deletes in. None of them opens
// anything, so none can block on a FIFO or a device.
import { lstatSync, readlinkSync, statfsSync, type Stats } from 'node:fs';
import { dirname, join, parse, resolve, sep } from 'node:path';
import { UsageError } from './errors.js';

/** An entry's kind in words, for messages: "a FIFO", "a directory". */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * File systems whose entries are the kernel's, by statfs magic
 * (<linux/magic.h>): nothing written there is stored as a file, writes can
 * reconfigure the machine, and on proc and sysfs Node's recursive mkdir
 * retries for ever (mkdir answers ENOENT under an existing parent).
 */
const KERNEL_FS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x1cd1: 'devpts',
  0x62656570: 'configfs',
  0xcafe4a11: 'bpf',
  0x6165676c: 'pstore',
  0xde5e81e4: 'efivarfs',
  0xf97cff8c: 'selinuxfs',
  0x43415d53: 'smackfs',
  0x65735543: 'fusectl',
  0x42494e4d: 'binfmt_misc',
  0x6e736673: 'nsfs',
};

/** The kernel file system `path` (or its nearest existing ancestor) lies on, or null for a real one. */
export function kernelFs(path: string): string | null {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return KERNEL_FS[statfsSync(p).type >>> 0] ?? null;
    } catch {
      if (p === dirname(p)) return null;
    }
  }
}

/** Refuses (one UsageError line, starting with `named`: "--report-dir x") a place to write on a kernel file system. */
export function refuseKernelFs(path: string, named: string): void {
  const fs = kernelFs(path);
  if (fs) throw new UsageError(`${named}: on ${fs}, a kernel file system where no file can be stored`);
}

const euid = (): number => process.geteuid?.() ?? -1;
export const runningAsRoot = (): boolean => euid() === 0;

/** Owned by this user or by root: an owner that is not someone else. */
export const ownedByUsOrRoot = (st: Stats): boolean => st.uid === euid() || st.uid === 0;

/**
 * The invariant behind every write as root: another user can add, rename or
 * remove entries of this folder — its owner is someone else, or it is
 * writable by a group other than root's, or by everyone.
 */
function othersCanChange(st: Stats): boolean {
  if (!ownedByUsOrRoot(st)) return true;
  if (st.mode & 0o020 && st.gid !== 0) return true;
  return (st.mode & 0o002) !== 0;
}

const STICKY = 0o1000;
const mode = (st: Stats) => `0${(st.mode & 0o7777).toString(8)}`;

/** Symbolic links followed on one path at most (the kernel's own limit is 40). */
const MAX_LINKS = 40;

/**
 * As root, refuses (one UsageError line) a folder to create, rename or delete
 * in when another user could change it or any folder on the way to it: they
 * could swap a name for a symlink between two of our steps and have root
 * write or delete somewhere else. The path is walked as given, one name at a
 * time, never through realpath: a symbolic link on the way is followed only
 * when it is ours or root's and lies in a folder no other user can change
 * (someone else's link in their own folder could point anywhere root can
 * write). A sticky folder (/tmp) is safe to pass through and to write in,
 * because others cannot rename or delete what is not theirs there; the entry
 * under it on the way must then be ours or root's. A part of the path that
 * does not exist yet is checked by the folder it will be made in, before
 * anything is made. Not root: nothing to refuse (a user's files are theirs to
 * risk). `named` starts the message ("--report-dir x").
 */
export function checkTrustedFolder(dir: string, named: string): void {
  if (!runningAsRoot()) return;
  const refuse = (why: string): never => {
    throw new UsageError(`${named}: ${why}: as root, mvar-repro writes only where no other user can rename or replace what it creates (use a folder only root can write)`);
  };
  const statOf = (p: string): Stats | null => {
    try {
      return lstatSync(p);
    } catch {
      return null;
    }
  };
  let pending = resolve(dir).split(sep).filter(Boolean);
  let here = parse(resolve(dir)).root;
  let links = 0;
  while (pending.length) {
    const name = pending.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      here = dirname(here);
      continue;
    }
    const st = statOf(here);
    if (!st) return;
    const next = join(here, name);
    const nextSt = statOf(next);
    if (othersCanChange(st)) {
      const sticky = (st.mode & STICKY) !== 0;
      if (!sticky) refuse(`${here} can be changed by another user (owner uid ${st.uid}, group ${st.gid}, mode ${mode(st)})`);
      if (nextSt && !ownedByUsOrRoot(nextSt)) refuse(`${next} belongs to uid ${nextSt.uid}`);
    }
    if (!nextSt) return; // made by us from here on, in a folder checked above
    if (nextSt.isSymbolicLink()) {
      if (!ownedByUsOrRoot(nextSt)) refuse(`${next} is a symbolic link of uid ${nextSt.uid}`);
      if (++links > MAX_LINKS) refuse(`${next}: more than ${MAX_LINKS} symbolic links`);
      let target: string;
      try {
        target = readlinkSync(next);
      } catch {
        return;
      }
      if (target.startsWith(sep)) here = parse(target).root;
      pending = [...target.split(sep).filter(Boolean), ...pending];
      continue;
    }
    here = next;
  }
  const last = statOf(here);
  if (last && othersCanChange(last) && (last.mode & STICKY) === 0) refuse(`${here} can be changed by another user (owner uid ${last.uid}, group ${last.gid}, mode ${mode(last)})`);
}

/**
 * Whether a symlink may be followed: it belongs to this user or to root, as
 * the kernel's protected_symlinks demands in sticky folders. Someone else's
 * link could point anywhere root can write.
 */
export function trustedLink(st: Stats): boolean {
  return st.isSymbolicLink() && ownedByUsOrRoot(st);
}
