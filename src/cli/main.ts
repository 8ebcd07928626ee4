#!/usr/bin/env node
import { Command } from '@commander-js/extra-typings';
import { registerAnalyze } from './commands/analyze.js';
import { registerBuild } from './commands/build.js';
import { registerDetect } from './commands/detect.js';
import { registerInit } from './commands/init.js';
import { registerLint } from './commands/lint.js';
import { registerVerify } from './commands/verify.js';
import { VERSION } from '../version.js';

const program = new Command()
  .name('pycontain')
  .description('Turn a Python application repository into a small, secure container image, and prove it works.')
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride((err) => {
    // commander's own usage errors: exit 2 like every other bad input; help and version exit 0.
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

registerDetect(program);
registerInit(program);
registerLint(program);
registerBuild(program);
registerVerify(program);
registerAnalyze(program);

await program.parseAsync(process.argv);
