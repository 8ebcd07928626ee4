import type { Command } from '@commander-js/extra-typings';
import { EXIT, runCommand } from '../errors.js';
import { addPlanOptions, overridesFromFlags, type PlanFlagValues } from '../plan-flags.js';

export function registerInit(program: Command): void {
  const cmd = program
    .command('init')
    .description('Write a Dockerfile and .dockerignore for the Python project in DIR.')
    .argument('[dir]', 'project directory', '.')
    .option('--force', 'replace an existing Dockerfile / .dockerignore', false)
    .option('--dry-run', 'print both files, write nothing', false)
    .option('--diff', 'show a unified diff against the existing files, write nothing', false)
    .option(
      '--no-syntax',
      'leave out `# syntax=docker/dockerfile:1` (air-gapped builders that cannot pull the frontend)',
    );
  addPlanOptions(cmd).action(
    async (
      dir: string,
      opts: PlanFlagValues & { force: boolean; dryRun: boolean; diff: boolean; syntax?: boolean },
    ) => {
      await runCommand(
        async () => {
          const overrides = overridesFromFlags(opts);
          const { initProject, BrokenCommandError } = await import('../../dockerfile/init.js');
          const r = await initProject(dir, {
            force: opts.force,
            dryRun: opts.dryRun,
            diff: opts.diff,
            overrides,
            render: opts.syntax === false ? { syntax: null } : {},
          }).catch((err: unknown) => {
            // A dry run still shows what would have been written, with the reasons it was not.
            if (err instanceof BrokenCommandError && err.output) process.stdout.write(err.output);
            throw err;
          });
          process.stdout.write(r.output);
          return EXIT.ok;
        },
        { projectDir: dir },
      );
    },
  );
}
