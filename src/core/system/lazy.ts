// Packages that cost a lot to load (execa, ora, ajv: some 100-300 ms each on
// a loaded machine) and that many commands never touch, loaded the first
// time they are used rather than when the CLI starts: `--version`, `help`,
// `diagnose` and a soak's first line come sooner. Node 20.19+ loads these ES
// modules synchronously through require().
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

function lazy<T>(name: string): () => T {
  let m: T | undefined;
  return () => (m ??= load(name) as T);
}

export const execaModule = lazy<typeof import('execa')>('execa');
export const oraModule = lazy<typeof import('ora')>('ora');
export const ajvModule = lazy<typeof import('ajv')>('ajv');
