// Decoders for /proc/PID/fdinfo/N text (proc(5), "/proc/pid/fdinfo"). Pure.
// What each kind of descriptor adds to the common pos/flags/mnt_id/ino lines:
//   eventfd   eventfd-count, eventfd-id (an id per eventfd object, kernel 5.19+)
//   timerfd   clockid, ticks, it_value: (sec, nsec), it_interval: (sec, nsec)
//   signalfd  sigmask: the signals it reads, as a hex mask
//   eventpoll one tfd: line per watched descriptor (its number in the
//             process that added it, the events it waits for, its inode)
//   any file  one lock: line per lock held through this open file description
//             (the /proc/locks format after a "lock:\t" prefix)

/** One descriptor an epoll instance watches. */
export interface EpollTarget {
  /** Its number in the process that added it (it may since have been closed or reused). */
  fd: number;
  /** EPOLLIN 0x1, EPOLLOUT 0x4, … as registered. */
  events: number;
  /** Its inode (hex in the kernel's text). */
  ino: number;
}

export const EPOLLIN = 0x1;
export const EPOLLPRI = 0x2;
export const EPOLLOUT = 0x4;

export interface TimerSetting {
  clockid: number;
  /** Time to the next expiry, ns; 0 when disarmed. */
  valueNs: number;
  /** Period, ns; 0 for a one-shot timer. */
  intervalNs: number;
}

const field = (text: string, name: string): string | undefined => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();

/** "(4, 646521654)" -> ns. */
const pairNs = (s: string | undefined): number => {
  const m = /\((\d+),\s*(\d+)\)/.exec(s ?? '');
  return m ? Number(m[1]) * 1e9 + Number(m[2]) : 0;
};

export function eventfdId(text: string | null): number | null {
  const v = text ? field(text, 'eventfd-id') : undefined;
  return v === undefined ? null : Number(v);
}

export function timerSetting(text: string | null): TimerSetting | null {
  if (!text || field(text, 'it_value') === undefined) return null;
  return { clockid: Number(field(text, 'clockid') ?? -1), valueNs: pairNs(field(text, 'it_value')), intervalNs: pairNs(field(text, 'it_interval')) };
}

/** The signal numbers a signalfd reads (bit n-1 of the mask is signal n). */
export function signalfdMask(text: string | null): number[] | null {
  const v = text ? field(text, 'sigmask') : undefined;
  if (v === undefined || !/^[0-9a-f]+$/i.test(v)) return null;
  const mask = BigInt(`0x${v}`);
  const out: number[] = [];
  for (let n = 1; n <= 64; n++) if ((mask >> BigInt(n - 1)) & 1n) out.push(n);
  return out;
}

export function epollTargets(text: string | null): EpollTarget[] {
  const out: EpollTarget[] = [];
  for (const m of (text ?? '').matchAll(/^tfd:\s*(\d+)\s+events:\s*([0-9a-f]+)\s.*?\bino:\s*([0-9a-f]+)/gm))
    out.push({ fd: Number(m[1]), events: parseInt(m[2]!, 16), ino: parseInt(m[3]!, 16) });
  return out;
}

/** The lock: lines, each in /proc/locks form without its leading "N:" ("OFDLCK ADVISORY  WRITE -1 fe:00:2146641 0 9"). */
export function fdLocks(text: string | null): string[] {
  return [...(text ?? '').matchAll(/^lock:\s*\d+:\s*(.*)$/gm)].map((m) => m[1]!.replace(/\s+/g, ' ').trim());
}
