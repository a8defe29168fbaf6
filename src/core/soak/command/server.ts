// Client of `mvar-worker commands` (native/commands.c): one long-lived C
// server per soak (or check) starts every iteration's command through a shim
// of its own, reaps it through pidfds and reports its exit with the tails of
// its stdout and stderr. Nothing is started from Node per iteration, which
// costs about 5 ms; the server forks in tens of microseconds. The server
// ends every tree and exits when the CLI does, however the CLI ends.
import { signalName } from '../../run/launchers/launcher.js';
import { startLineServer, type LineServer } from '../../run/launchers/line-server.js';

export interface CommandExit {
  /** Exit status, or null when a signal ended the command. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last 16 KiB of what the command's tree wrote (MVR_TAIL_MAX, native/command_text.h). */
  stdoutTail: string;
  stderrTail: string;
  /** performance.now() when the exit was read: every process of the tree is reaped by then. */
  atMs: number;
}

export interface StartedCommand {
  /** The command's pid (the root of its tree), or null when it could not be started (its exit says why). */
  readonly pid: number | null;
  /** The shim whose descendants the tree is (orphans included). */
  readonly shim: number | null;
  /** Settles once the whole tree is reaped; never rejects (a dead server reads as a kill). */
  readonly exit: Promise<CommandExit>;
  /** Ends the whole tree: SIGKILL to its group and every process in it, orphans included. */
  kill(): void;
}

interface Job {
  started(pids: { shim: number; pid: number } | null): void;
  exited(e: CommandExit): void;
}

/** Bytes a request token carries as they are: printable ASCII but '%'; every other byte goes as %XX (native/commands.c decodes). */
const PLAIN = /^[\x21-\x24\x26-\x7e]+$/;

function encode(token: string): string {
  if (PLAIN.test(token)) return token;
  if (token === '') return '%00'; // decodes to the empty C string: arguments cannot hold NUL, so nothing else reads as it
  let out = '';
  for (const b of Buffer.from(token, 'utf8')) out += b <= 0x20 || b === 0x25 || b >= 0x7f ? `%${b.toString(16).padStart(2, '0')}` : String.fromCharCode(b);
  return out;
}

const tail = (b64: string) => (b64 === '-' ? '' : Buffer.from(b64, 'base64').toString('utf8'));

export class CommandServer {
  private server: LineServer | undefined;
  private readonly jobs = new Map<string, Job>();
  private seq = 0;
  private dead: Error | undefined;

  private start(): Promise<void> {
    this.server ??= startLineServer({ name: 'command server', args: ['commands'], detached: true, onLine: (line) => this.onLine(line), onDeath: (e) => this.fail(e) });
    return this.server.ready;
  }

  private onLine(line: string): void {
    const [kind, tag, ...rest] = line.split(' ');
    const job = this.jobs.get(tag!);
    if (!job) return;
    if (kind === 'started') job.started({ shim: Number(rest[0]), pid: Number(rest[1]) });
    else if (kind === 'error') {
      this.jobs.delete(tag!);
      job.started(null);
      job.exited({ code: null, signal: null, stdoutTail: '', stderrTail: `command server: ${rest.join(' ')}`, atMs: performance.now() });
    } else if (kind === 'exit') {
      this.jobs.delete(tag!);
      const [code, sig, out, err] = rest as [string, string, string, string];
      job.started(null); // no-op when `started` came first; a command that never started says why in its stderr
      job.exited({ code: Number(code) >= 0 ? Number(code) : null, signal: Number(code) >= 0 ? null : signalName(Number(sig)), stdoutTail: tail(out), stderrTail: tail(err), atMs: performance.now() });
    }
  }

  private fail(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    // The shims end their trees when the server dies (PR_SET_PDEATHSIG): each command reads as killed.
    for (const job of this.jobs.values()) {
      job.started(null);
      job.exited({ code: null, signal: 'SIGKILL', stdoutTail: '', stderrTail: e.message, atMs: performance.now() });
    }
    this.jobs.clear();
  }

  private send(line: string): void {
    if (!this.dead) this.server?.send(line);
  }

  /** Starts argv with env added to the server's environment (the CLI's, at the soak's start). */
  async spawn(argv: string[], env: Record<string, string>): Promise<StartedCommand> {
    await this.start();
    if (this.dead) throw this.dead;
    const tag = `i${++this.seq}`;
    let exited!: (e: CommandExit) => void;
    const exit = new Promise<CommandExit>((r) => (exited = r));
    const pids = await new Promise<{ shim: number; pid: number } | null>((resolve) => {
      this.jobs.set(tag, { started: resolve, exited });
      const tokens = [...argv, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].map(encode);
      this.send(`spawn ${tag} ${argv.length} ${tokens.join(' ')}`);
    });
    return { pid: pids?.pid ?? null, shim: pids?.shim ?? null, exit, kill: () => this.send(`kill ${tag}`) };
  }

  /** Ends every tree still running and waits for the server to leave. */
  async close(): Promise<void> {
    await this.server?.close();
  }
}
