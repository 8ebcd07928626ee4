/**
 * Entry of the detect bundle (dist/cli/detect.cjs, built by scripts/build-bundles.mjs): the root
 * command with `detect` and `init` registered, which is what src/cli/main.ts builds for those
 * command lines too. A detect run then reads one file through the code cache instead of resolving
 * and linking the ES modules of the project readers one by one.
 */
import { registerDetect } from './commands/detect.js';
import { registerInit } from './commands/init.js';
import { createProgram } from './program.js';

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const program = createProgram();
  registerDetect(program);
  registerInit(program);
  await program.parseAsync([...argv]);
}
