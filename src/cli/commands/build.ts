import type { Command } from '@commander-js/extra-typings';

// Placeholder until the build issue lands: the owner of this command replaces this file.
export function registerBuild(program: Command): void {
  program.command('build').description('(not built yet)').action(() => {
    throw new Error('build is not built yet');
  });
}
