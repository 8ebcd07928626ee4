import type { Command } from '@commander-js/extra-typings';

// Placeholder until the init issue lands: the owner of this command replaces this file.
export function registerInit(program: Command): void {
  program.command('init').description('(not built yet)').action(() => {
    throw new Error('init is not built yet');
  });
}
