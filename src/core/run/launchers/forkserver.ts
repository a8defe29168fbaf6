// Client of `mvar-worker serve` (native/forkserver.c): one server per run
// loop forks every iteration's native processes and reaps them. The server
// dies with the CLI (PR_SET_PDEATHSIG) and its children die with the server.
import { existsSync } from 'node:fs';
import { EnvironmentError } from '../../system/errors.js';
import type { ChaosActions, ExitInfo, Launched, Launcher, ProcessSpec } from './launcher.js';
import { signalName } from './launcher.js';
import { startLineServer, type LineServer } from './line-server.js';
import { preloadPath } from '../../system/paths.js';
import { loadablePreloadPath } from '../../preload/library-path.js';

interface Pending {
  resolve(pids: number[]): void;
  reject(e: Error): void;
}

interface Child {
  resolve(e: ExitInfo): void;
}

export class ForkServerLauncher implements Launcher {
  readonly kind = 'forkserver';
  /** jitter: load the preload library into the server, so --chaos also jitters the processes' lock calls. */
  private readonly jitter: boolean;
  constructor(opts: { jitter?: boolean } = {}) {
    // Without the library built, chaos still freezes and moves processes; the record says it did not jitter.
    this.jitter = opts.jitter === true && existsSync(preloadPath());
  }
  private server: LineServer | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly children = new Map<number, Child>();
  private readonly early = new Map<number, ExitInfo>();
  /** chaos TAG lines: waited for, or arrived before anyone waited. */
  private readonly chaosDone = new Map<string, ChaosActions>();
  private readonly chaosWaiting = new Map<string, (a: ChaosActions) => void>();
  private seq = 0;
  private readonly stderrByPid = new Map<number, string[]>();
  private dead: Error | undefined;

  private start(): Promise<void> {
    this.server ??= startLineServer({
      name: 'fork server',
      args: ['serve'],
      ...(this.jitter ? { env: { LD_PRELOAD: loadablePreloadPath() } } : {}),
      onLine: (line) => this.onLine(line),
      // Children write "mvar-worker[PID]: reason" (forkserver.c).
      onStderr: (line) => {
        const m = /^mvar-worker\[(\d+)\]: (.*)$/.exec(line);
        if (!m) return false;
        const pid = Number(m[1]);
        this.stderrByPid.set(pid, [...(this.stderrByPid.get(pid) ?? []).slice(-4), m[2]!]);
        return true;
      },
      onDeath: (e) => this.fail(e),
    });
    return this.server.ready;
  }

  private onLine(line: string): void {
    const [kind, tag, ...rest] = line.split(' ');
    switch (kind) {
      case 'started': {
        const p = this.pending.get(tag!);
        this.pending.delete(tag!);
        p?.resolve(rest.map(Number));
        return;
      }
      case 'error': {
        const p = this.pending.get(tag!);
        this.pending.delete(tag!);
        p?.reject(new EnvironmentError(`fork server: ${rest.join(' ')}`));
        return;
      }
      case 'chaos': {
        const [freezes, cpuMoves, renices] = rest.map(Number) as [number, number, number];
        const actions = { freezes, cpuMoves, renices };
        const w = this.chaosWaiting.get(tag!);
        this.chaosWaiting.delete(tag!);
        if (w) w(actions);
        else this.chaosDone.set(tag!, actions);
        return;
      }
      case 'exit': {
        const [pid, code, sig] = rest.map(Number) as [number, number, number];
        const info: ExitInfo = {
          code: code >= 0 ? code : null,
          signal: code >= 0 ? null : signalName(sig),
          atMs: performance.now(),
          stderr: this.stderrFor(pid),
        };
        const c = this.children.get(pid);
        this.children.delete(pid);
        if (c) c.resolve(info);
        else this.early.set(pid, info); // exited before its launch promise was handed out
        return;
      }
    }
  }

  private stderrFor(pid: number): string {
    const lines = this.stderrByPid.get(pid) ?? [];
    this.stderrByPid.delete(pid);
    return lines.join('\n');
  }

  private fail(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    // The server's children die with it (PR_SET_PDEATHSIG); report them killed.
    for (const c of this.children.values())
      c.resolve({ code: null, signal: 'SIGKILL', atMs: performance.now(), stderr: 'fork server died' });
    this.children.clear();
  }

  private send(line: string): void {
    if (!this.dead) this.server?.send(line);
  }

  async launch(segment: string, procs: ProcessSpec[], chaos?: { seed: number; intensity: number }): Promise<Launched> {
    procs.forEach((p, i) => {
      if (p.id !== i || p.role !== (i === 0 ? 'master' : 'slave'))
        throw new Error('fork server launches exactly the master and slaves 1..N');
    });
    await this.start();
    if (this.dead) throw this.dead;
    const tag = `i${++this.seq}`;
    const pids = await new Promise<number[]>((resolve, reject) => {
      this.pending.set(tag, { resolve, reject });
      this.send(`run ${tag} ${segment}${chaos ? ` ${chaos.seed} ${chaos.intensity}` : ''}`);
    });
    if (pids.length !== procs.length)
      throw new EnvironmentError(`fork server started ${pids.length} processes, expected ${procs.length}`);
    const exits = pids.map(
      (pid) =>
        new Promise<ExitInfo>((resolve) => {
          const early = this.early.get(pid);
          if (early) {
            this.early.delete(pid);
            resolve(early);
          } else this.children.set(pid, { resolve });
        }),
    );
    const stopChaos = async (): Promise<ChaosActions | null> => {
      const done = this.chaosDone.get(tag);
      this.chaosDone.delete(tag);
      if (done) return done;
      const said = new Promise<ChaosActions>((resolve) => this.chaosWaiting.set(tag, resolve));
      this.send(`chaos-stop ${tag}`);
      // It answers within an epoch; a server that died answers never: do not wait for ever.
      const timeout = new Promise<null>((r) => setTimeout(() => r(null), 2000).unref());
      const actions = await Promise.race([said, timeout]);
      this.chaosWaiting.delete(tag);
      return actions;
    };
    return { pids, exits, killAll: () => this.send(`kill ${tag}`), ...(chaos ? { stopChaos, jitter: this.jitter } : {}) };
  }

  async close(): Promise<void> {
    await this.server?.close();
  }
}
