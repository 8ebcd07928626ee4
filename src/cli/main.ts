#!/usr/bin/env node
import { Command } from '@commander-js/extra-typings';
import { VERSION } from '../version.js';

type Register = (program: Command) => void;

// Each command's module pulls in its own heavy dependencies (parsers, image readers, the engine layer).
// Only the command being run is loaded, so `pycontain lint FILE` in a pre-commit hook pays for the
// linter alone; help and unknown commands load them all.
const COMMANDS: Record<string, () => Promise<Register>> = {
  detect: async () => (await import('./commands/detect.js')).registerDetect,
  init: async () => (await import('./commands/init.js')).registerInit,
  lint: async () => (await import('./commands/lint.js')).registerLint,
  build: async () => (await import('./commands/build.js')).registerBuild,
  verify: async () => (await import('./commands/verify.js')).registerVerify,
  analyze: async () => (await import('./commands/analyze.js')).registerAnalyze,
};

const program = new Command()
  .name('pycontain')
  .description(
    'Turn a Python application repository into a small, secure container image, and prove it works.',
  )
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride((err) => {
    // commander's own usage errors: exit 2 like every other bad input; help and version exit 0.
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

const first = process.argv.slice(2).find((a) => !a.startsWith('-'));
const wanted = first && first in COMMANDS ? [first] : Object.keys(COMMANDS);
for (const register of await Promise.all(wanted.map((name) => COMMANDS[name]!()))) register(program);

await program.parseAsync(process.argv);
