// Last-resort cleanup: actions that must run however the CLI leaves (normal
// exit, uncaught error, process.exit from a signal handler). Each action must
// be synchronous; process.kill and the addon's unlink are.

const actions = new Set<() => void>();
let installed = false;

export function onProcessExit(action: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const a of [...actions]) {
        try {
          a();
        } catch {
          // best effort: the process is leaving
        }
      }
    });
  }
  actions.add(action);
  return () => actions.delete(action);
}
