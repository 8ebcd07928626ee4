import { writeSync } from 'node:fs';
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
          out.stdout(cli.listRules());
          return 0;
        }
        return cli.runLint(
          files,
          {
            format: opts.format,
            failLevel: opts.failLevel,
            fix: opts.fix === true,
            project: opts.project,
            // NO_COLOR first: asking process.stdout whether it is a terminal creates the stream.
            color: !process.env.NO_COLOR && process.stdout.isTTY === true,
          },
          out,
        );
      });
    });
}

/**
 * The report goes to the file descriptors directly on POSIX: process.stdout and process.stderr
 * are created on first use, loading Node's stream modules, a measurable part of a lint process.
 * Writes to files and pipes are synchronous there either way. Windows keeps the streams (console
 * output needs them for Unicode).
 */
const out =
  process.platform === 'win32'
    ? {
        stdout: (s: string) => void process.stdout.write(s),
        stderr: (s: string) => void process.stderr.write(s),
      }
    : { stdout: (s: string) => writeAll(1, s), stderr: (s: string) => writeAll(2, s) };

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < buf.length) {
    try {
      done += writeSync(fd, buf, done);
    } catch (err) {
      // A non-blocking pipe (set so by whoever holds the other end) that is full: wait for the reader.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
