/**
 * Entry of the lint bundle (dist/cli/lint.cjs, built by scripts/build-bundles.mjs): the root
 * command with `lint` alone registered, which is what src/cli/main.ts builds for a `lint` command
 * line too. Everything `pycontain lint` needs is bundled into one file; the project readers are a
 * second bundle loaded only when a Python project sits beside the Dockerfile.
 */
import { registerLint } from './commands/lint.js';
import { createProgram } from './program.js';

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const program = createProgram();
  registerLint(program);
  await program.parseAsync([...argv]);
}

// The project bundle (dist/cli/lint-project.cjs) uses this copy of src/plan.ts instead of its own,
// so an InputError thrown there is one `runCommand` recognises.
export * as plan from '../plan.js';
