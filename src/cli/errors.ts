import { existsSync } from 'node:fs';
import path from 'node:path';
import pc from 'picocolors';
import { EXIT, exitCodeOf, internalErrorNote } from '../errors.js';
import { InputError } from '../plan.js';

export { EXIT } from '../errors.js';

/**
 * Where an InputError points, as a path the user can open from where they ran the command: the
 * project readers name files relative to the project directory (`pyproject.toml:4`), which is
 * ambiguous when DIR is not the current directory.
 */
export function locationFrom(err: InputError, projectDir?: string): string {
  if (!err.file || !projectDir || path.isAbsolute(err.file)) return err.location;
  const inProject = path.resolve(projectDir, err.file);
  if (path.resolve(err.file) === inProject || !existsSync(inProject)) return err.location;
  const rel = path.relative(process.cwd(), inProject);
  // Below the current directory: relative, as compilers print it; elsewhere: absolute, not ../../..
  const shown = rel && !rel.startsWith('..') ? rel : inProject;
  return err.location.replace(err.file, shown);
}

/**
 * Run a command body; print errors the way users can act on them and set the exit code.
 * `projectDir` (the DIR argument) turns project-relative file names in errors into paths from here.
 */
export async function runCommand(
  body: () => Promise<number | undefined>,
  opts: { projectDir?: string } = {},
): Promise<void> {
  try {
    const code = await body();
    process.exitCode = code ?? EXIT.ok;
  } catch (err) {
    if (err instanceof InputError) {
      const loc = locationFrom(err, opts.projectDir);
      const where = loc ? `${loc}: ` : '';
      process.stderr.write(`${pc.red('error')}: ${where}${err.message}\n`);
      process.exitCode = EXIT.badInput;
      return;
    }
    const e = err as Error;
    const code = exitCodeOf(err);
    const debug = Boolean(process.env.PYCONTAIN_DEBUG);
    process.stderr.write(`${pc.red('error')}: ${e?.message ?? String(err)}\n`);
    if (code === null) {
      process.stderr.write(internalErrorNote(debug));
      if (debug && e?.stack) process.stderr.write(`${e.stack}\n`);
      process.exitCode = EXIT.internal;
      return;
    }
    if (debug && e?.stack) process.stderr.write(`${e.stack}\n`);
    process.exitCode = code;
  }
}
