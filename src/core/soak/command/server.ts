// Client of `mvar-worker commands` (native/commands.c): one long-lived C
// server per soak (or check) starts every iteration's command through a shim
// of its own, reaps it through pidfds and reports its exit with the tails of
// its stdout and stderr. Nothing is started from Node per iteration, which
// costs about 5 ms; the server forks in tens of microseconds. The server
// ends every tree and exits when the CLI does, however the CLI ends.
import { execa, type ResultPromise } from 'execa';
import { EnvironmentError } from '../../system/errors.js';
import { signalName } from '../../run/launchers/launcher.js';
import { workerPath } from '../../system/paths.js';

export interface CommandExit {
  /** Exit status, or null when a signal ended the command. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last 16 KiB of what the command's tree wrote (native/commands.c's TAIL_MAX). */
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
  private server: ResultPromise | undefined;
  private ready: Promise<void> | undefined;
  private readonly jobs = new Map<string, Job>();
  private seq = 0;
  private dead: Error | undefined;
  private stderr: string[] = [];

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    // Its own process group: Ctrl-C at the terminal reaches the CLI, which decides.
    const server = execa(workerPath(), ['commands', '--parent', String(process.pid)], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      detached: true,
      cleanup: true,
    });
    this.server = server;
    this.ready = new Promise<void>((resolve, reject) => {
      let pending = '';
      server.stdout!.setEncoding('latin1').on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          this.onLine(pending.slice(0, nl), resolve);
          pending = pending.slice(nl + 1);
        }
      });
      server.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr = [...this.stderr, ...d.split('\n').filter(Boolean)].slice(-5)));
      void server.then((r) => {
        const why = r.failed && r.exitCode === undefined ? r.shortMessage : `exited (${r.exitCode ?? r.signal})${this.stderr.length ? `: ${this.stderr.at(-1)}` : ''}`;
        this.fail(new EnvironmentError(`command server ${workerPath()} ${why}`));
        reject(this.dead);
      });
    });
    return this.ready;
  }

  private onLine(line: string, ready: () => void): void {
    const [kind, tag, ...rest] = line.split(' ');
    if (kind === 'ready') return ready();
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
    if (!this.dead) this.server?.stdin?.write(`${line}\n`);
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
    const server = this.server;
    if (!server) return;
    this.send('quit');
    server.stdin?.end();
    await server;
  }
}
