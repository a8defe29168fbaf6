// A socket. Unix sockets: the peer from the kernel's sock_diag, and the
// processes holding it are who can write (or read, when this end's buffer is
// full). TCP between two local processes: the peer is the socket of this
// network namespace whose endpoints are this one's, swapped (/proc/PID/net/tcp).
// A listening socket is woken by the next client and an unconnected datagram
// socket by any sender: anyone who may connect or send, never proof of a
// hang. A peer on another machine, or in a namespace the tool cannot see, is
// not visible.
import type { InetSocket } from '../../../procfs/net.js';
import { inetPeer } from '../../../procfs/net.js';
import { hidden, holderNames, holderWakers, known, orByHandler, open, type FdQuestion, type WaitBase, type WaitContext, type WaitFacts } from '../types.js';

const verb = (q: FdQuestion) => (q.want === 'read' ? 'reading (nothing received)' : q.want === 'write' ? 'writing (buffer full)' : q.want === 'accept' ? 'accepting' : 'connecting');

/** The other end's holders decide; they hold it for good, as a pipe's writers do. */
function peerWait(ctx: WaitContext, q: FdQuestion, base: WaitBase, peer: string, what: string): WaitFacts {
  const pids = ctx.probe.fdHolders(peer).map((h) => h.pid);
  if (!pids.length) return hidden(base, `its peer ${peer} is held by no process the tool may read`);
  const facts = known(base, holderWakers(ctx, q.raw.pid, q.tid, pids), `holders of its peer (${what}): ${holderNames(ctx, q.raw.pid, pids)}`, true);
  return orByHandler(ctx, q.raw.pid, pids, facts);
}

function inetWait(ctx: WaitContext, q: FdQuestion, s: InetSocket, table: InetSocket[], ino: number): WaitFacts {
  const base = { kind: 'socket' as const, timed: false, on: `${s.proto.toUpperCase()} ${s.local}${s.state === 'ESTABLISHED' ? ` -> ${s.remote}` : ''} (${s.state}), ${verb(q)} on fd ${q.fd.fd}`, key: `socket:[${ino}]:${q.want}` };
  if (s.state === 'LISTEN') return open(base, `any process that may connect to ${s.local}`);
  if (s.proto === 'udp' && s.state !== 'ESTABLISHED') return open(base, `any process that may send to ${s.local}`);
  const peer = inetPeer(table, s);
  if (peer) return peerWait(ctx, q, base, `socket:[${peer.inode}]`, `${peer.local}`);
  if (s.state !== 'ESTABLISHED') return hidden(base, `a connection in state ${s.state}: what ends it is the network's`);
  return hidden(base, `its peer ${s.remote} is not a socket of this machine's network namespace that the tool can see`);
}

export function socketWait(ctx: WaitContext, q: FdQuestion): WaitFacts {
  const ino = Number(/^socket:\[(\d+)\]$/.exec(q.fd.target)?.[1] ?? NaN);
  const base = { kind: 'socket' as const, timed: false, on: `${q.fd.target}, ${verb(q)} on fd ${q.fd.fd}`, key: `${q.fd.target}:${q.want}` };
  const peer = ctx.probe.socketPeer(ino);
  if (peer !== null) {
    // A Unix socket of this namespace.
    if (peer !== 0) return peerWait(ctx, q, { ...base, on: `Unix socket ${q.fd.target} (peer socket:[${peer}]), ${verb(q)} on fd ${q.fd.fd}` }, `socket:[${peer}]`, `socket:[${peer}]`);
    return open(base, q.want === 'accept' || q.want === 'read' ? 'any process that may connect or send to it (a listening or unconnected Unix socket)' : 'whoever accepts or receives on it');
  }
  const table = ctx.probe.inetSockets(q.raw.pid);
  const s = table?.find((x) => x.inode === ino);
  if (s && table) return inetWait(ctx, q, s, table, ino);
  if (q.want === 'accept') return open(base, 'any process that may connect to it');
  return hidden(base, 'neither a Unix socket of this network namespace nor a TCP/UDP socket the tool can read (another family, another namespace, or sock_diag refused)');
}
