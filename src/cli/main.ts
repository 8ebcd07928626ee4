#!/usr/bin/env node
import { bundleOf, commandOf, runBundled } from './fastload.js';

type Register = (program: import('@commander-js/extra-typings').Command) => void;

// `pycontain lint FILE` runs in a pre-commit hook or an editor on every save: it runs from the lint
// bundle beside this file (see fastload.ts) and loads nothing else; detect and init run from theirs.
// Every other command, and those when there is no bundle (running from source), loads only the
// command being run; help and
// unknown commands load them all.
const COMMANDS: Record<string, () => Promise<Register>> = {
  detect: async () => (await import('./commands/detect.js')).registerDetect,
  init: async () => (await import('./commands/init.js')).registerInit,
  lint: async () => (await import('./commands/lint.js')).registerLint,
  build: async () => (await import('./commands/build.js')).registerBuild,
  verify: async () => (await import('./commands/verify.js')).registerVerify,
  analyze: async () => (await import('./commands/analyze.js')).registerAnalyze,
  pack: async () => (await import('./commands/pack.js')).registerPack,
};

const first = commandOf(process.argv);
const bundle = bundleOf(first);
if (!(bundle && (await runBundled(import.meta.dirname, bundle)))) {
  const { createProgram } = await import('./program.js');
  const program = createProgram();
  const wanted = first && first in COMMANDS ? [first] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((name) => COMMANDS[name]!()))) register(program);
  await program.parseAsync(process.argv);
}
