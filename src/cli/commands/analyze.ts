import type { Command } from '@commander-js/extra-typings';

// Placeholder until the analyze issue lands: the owner of this command replaces this file.
export function registerAnalyze(program: Command): void {
  program.command('analyze').description('(not built yet)').action(() => {
    throw new Error('analyze is not built yet');
  });
}
