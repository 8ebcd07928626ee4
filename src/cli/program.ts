import { Command } from '@commander-js/extra-typings';
import { VERSION } from '../version.js';

/**
 * The root command, shared by the full CLI (src/cli/main.ts) and the bundled lint entry
 * (src/cli/lint-entry.ts), so that `pycontain lint` parses, helps and fails the same on both paths.
 */
export function createProgram(): Command {
  return new Command()
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
}
