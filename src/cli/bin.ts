#!/usr/bin/env node
/**
 * The package bin (dist/cli/pycontain.cjs, bundled as CommonJS by scripts/build-bundles.mjs with
 * fastload.ts inlined): `pycontain lint`, `detect` and `init` start without the ES module loader,
 * which costs a bare Node start-up about 15 ms; every other command goes through dist/cli/main.js.
 */
import { EXIT, internalErrorNote } from '../errors.js';
import { bundleOf, commandOf, runBundled } from './fastload.js';

async function start(): Promise<void> {
  const bundle = bundleOf(commandOf(process.argv));
  if (bundle && (await runBundled(import.meta.dirname, bundle))) return;
  await import('./main.js');
}

start().catch((err: unknown) => {
  // Only a failure to start lands here (every command catches its own errors): a bug.
  process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n${internalErrorNote(true)}`);
  process.exitCode = EXIT.internal;
});
