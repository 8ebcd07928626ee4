import pc from 'picocolors';
import { InputError } from '../plan.js';

/** Exit codes shared by every command (documented in the README). */
export const EXIT = {
  ok: 0,
  /** The command ran, and what it checked failed (lint findings at the fail level, verify failed, gate exceeded). */
  failed: 1,
  /** Bad input or usage: unreadable project file, corrupt image, unknown option. */
  badInput: 2,
  /** The engine is missing, or did not answer. */
  engine: 3,
} as const;

/** Run a command body; print errors the way users can act on them and set the exit code. */
export async function runCommand(body: () => Promise<number | undefined>): Promise<void> {
  try {
    const code = await body();
    process.exitCode = code ?? EXIT.ok;
  } catch (err) {
    if (err instanceof InputError) {
      const where = err.location ? `${err.location}: ` : '';
      process.stderr.write(`${pc.red('error')}: ${where}${err.message}\n`);
      process.exitCode = EXIT.badInput;
      return;
    }
    const e = err as Error & { exitCode?: number };
    process.stderr.write(`${pc.red('error')}: ${e.message}\n`);
    if (process.env.PYCONTAIN_DEBUG && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exitCode = e.exitCode ?? EXIT.failed;
  }
}
