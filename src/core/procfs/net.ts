// Decoders for /proc/PID/net/{tcp,tcp6,udp,udp6} (proc(5)): every inet socket
// of one network namespace with its endpoints, state and inode. Pure. Used to
// find the other end of a TCP connection between two local processes (its
// local address is this one's remote address and the other way round) and to
// tell a listening socket from a connected one.

export interface InetSocket {
  proto: 'tcp' | 'udp';
  /** "127.0.0.1:5432", "[::1]:80". */
  local: string;
  remote: string;
  /** TCP state name (ESTABLISHED, LISTEN, …); UDP: "UNCONN" or "ESTABLISHED". */
  state: string;
  inode: number;
}

/** include/net/tcp_states.h */
const TCP_STATES = ['?', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV'];

/** The kernel prints each 32-bit word of an address in host (little-endian) order. */
function address(hex: string): string {
  const [a = '', p = '0'] = hex.split(':');
  const port = parseInt(p, 16);
  const words = a.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)));
  if (bytes.length === 4) return `${bytes.join('.')}:${port}`;
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  const v4mapped = groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff';
  return v4mapped ? `${bytes.slice(12).join('.')}:${port}` : `[${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}]:${port}`;
}

export function parseInet(text: string | null, proto: 'tcp' | 'udp'): InetSocket[] {
  const out: InetSocket[] = [];
  for (const line of (text ?? '').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const st = parseInt(f[3]!, 16);
    out.push({
      proto,
      local: address(f[1]!),
      remote: address(f[2]!),
      state: proto === 'tcp' ? (TCP_STATES[st] ?? `state ${st}`) : st === 1 ? 'ESTABLISHED' : 'UNCONN',
      inode: Number(f[9]),
    });
  }
  return out;
}

/** The socket at the other end of a connection between two sockets of this table, if both are here. */
export function inetPeer(table: InetSocket[], s: InetSocket): InetSocket | null {
  if (s.state !== 'ESTABLISHED') return null;
  return table.find((x) => x !== s && x.proto === s.proto && x.local === s.remote && x.remote === s.local) ?? null;
}
