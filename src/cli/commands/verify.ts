import type { Command } from '@commander-js/extra-typings';

// Placeholder until the verify issue lands: the owner of this command replaces this file.
export function registerVerify(program: Command): void {
  program.command('verify').description('(not built yet)').action(() => {
    throw new Error('verify is not built yet');
  });
}
