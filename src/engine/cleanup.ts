/**
 * Ctrl-C (SIGINT) and SIGTERM: run the registered clean-ups synchronously (remove temp dirs, stop
 * and remove our containers, kill the engine CLI), then exit 130/143. Handlers are registered only
 * while something needs cleaning, so a plain command keeps Node's default behaviour.
 */
type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let installed = false;

function handler(signal: NodeJS.Signals): void {
  for (const fn of [...cleanups].reverse()) {
    try {
      fn();
    } catch {
      // keep cleaning the rest
    }
  }
  cleanups.clear();
  process.stderr.write(`\ninterrupted (${signal}): cleaned up\n`);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/** Register a synchronous clean-up for Ctrl-C; call the returned function once it is no longer needed. */
export function onInterrupt(fn: Cleanup): () => void {
  cleanups.add(fn);
  if (!installed) {
    installed = true;
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  }
  return () => {
    cleanups.delete(fn);
    if (cleanups.size === 0 && installed) {
      installed = false;
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    }
  };
}
