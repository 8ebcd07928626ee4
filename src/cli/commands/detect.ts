import type { Command } from '@commander-js/extra-typings';

// Placeholder until the detect issue lands: the owner of this command replaces this file.
export function registerDetect(program: Command): void {
  program.command('detect').description('(not built yet)').action(() => {
    throw new Error('detect is not built yet');
  });
}
