import { type Command, Option } from '@commander-js/extra-typings';
import { runCommand } from '../errors.js';

/**
 * `pycontain lint [FILE...]`. Kept free of heavy imports: the linter is loaded when the command
 * runs, so a pre-commit hook pays only for what linting needs.
 *
 * Exit codes: 0 no finding at or above the fail level · 1 findings at or above it · 2 bad input
 * (unreadable or binary file, invalid [tool.pycontain.lint]) or usage.
 */
export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('Lint Dockerfiles of Python applications (Python-aware and project-aware rules)')
    .argument('[files...]', 'Dockerfiles to lint (default: ./Dockerfile)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['text', 'json', 'sarif', 'github', 'checkstyle'] as const)
        .default('text' as const),
    )
    .addOption(
      new Option(
        '--fail-level <level>',
        'lowest severity that makes the exit code 1 (default: warning, or fail-level in [tool.pycontain.lint])',
      ).choices(['error', 'warning', 'info', 'style', 'none'] as const),
    )
    .option('--fix', 'rewrite what is safe to fix in place (atomic), then report what is left')
    .option('--no-project', 'do not read the project beside the Dockerfile (skips project-aware rules)')
    .option('--list-rules', 'print the rules and exit')
    .action(async (files, opts) => {
      await runCommand(async () => {
        const cli = await import('../../lint/cli.js');
        if (opts.listRules) {
          process.stdout.write(cli.listRules());
          return 0;
        }
        return cli.runLint(files, {
          format: opts.format,
          failLevel: opts.failLevel,
          fix: opts.fix === true,
          project: opts.project,
          color: process.stdout.isTTY === true && !process.env.NO_COLOR,
        });
      });
    });
}
