import type { Command } from '@commander-js/extra-typings';

// Placeholder until the lint issue lands: the owner of this command replaces this file.
export function registerLint(program: Command): void {
  program.command('lint').description('(not built yet)').action(() => {
    throw new Error('lint is not built yet');
  });
}
