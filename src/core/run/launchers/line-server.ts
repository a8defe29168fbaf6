// A native helper that speaks in lines (`mvar-worker serve`, the fork server
// of runs; `mvar-worker commands`, the command server of soaks): started
// once, its stdout read line by line, its last stderr lines kept for the one
// line that says why it died.
import type { ResultPromise } from 'execa';
import { execaModule } from '../../system/lazy.js';
import { EnvironmentError } from '../../system/errors.js';
import { workerPath } from '../../system/paths.js';

export interface LineServer {
  /** Resolves on its `ready` line; rejects if it dies first. */
  readonly ready: Promise<void>;
  send(line: string): void;
  /** Ends its input and waits for it to leave. */
  close(): Promise<void>;
}

export interface LineServerOptions {
  /** What it is called in the line that says it died: "fork server". */
  name: string;
  /** mvar-worker's arguments, e.g. ['serve'] (--parent is added). */
  args: string[];
  env?: Record<string, string>;
  /** Its own process group: Ctrl-C at the terminal reaches the CLI alone, which decides. */
  detached?: boolean;
  /** Every line but `ready`. */
  onLine(line: string): void;
  /** Every stderr line; those it does not claim (returns false) are kept to explain a death. */
  onStderr?(line: string): boolean;
  /** It died (or could not start): the sentence why. Called once. */
  onDeath(e: EnvironmentError): void;
}

/** Splits a stream's text into lines, a partial last line kept for the next chunk. */
function lines(stream: NodeJS.ReadableStream, each: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      each(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
}

export function startLineServer(o: LineServerOptions): LineServer {
  const proc: ResultPromise = execaModule().execa(workerPath(), [...o.args, '--parent', String(process.pid)], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: true,
    detached: o.detached === true,
    ...(o.env ? { env: o.env } : {}),
  });
  let stderrTail: string[] = [];
  let dead = false;
  const ready = new Promise<void>((resolve, reject) => {
    lines(proc.stdout!, (line) => (line.startsWith('ready ') ? resolve() : o.onLine(line)));
    lines(proc.stderr!, (line) => {
      if (!o.onStderr?.(line)) stderrTail = [...stderrTail.slice(-19), line];
    });
    void proc.then((r) => {
      const why = r.failed && r.exitCode === undefined ? r.shortMessage : `exited (${r.exitCode ?? r.signal})${stderrTail.length ? `: ${stderrTail.at(-1)}` : ''}`;
      const e = new EnvironmentError(`${o.name} ${workerPath()} ${why}`);
      dead = true;
      o.onDeath(e);
      reject(e);
    });
  });
  ready.catch(() => undefined); // a death is said through onDeath; nobody need be waiting
  return {
    ready,
    send: (line) => {
      if (!dead) proc.stdin?.write(`${line}\n`);
    },
    close: async () => {
      if (!dead) proc.stdin?.end('quit\n');
      await proc;
    },
  };
}
