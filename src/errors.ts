/**
 * The error hierarchy and the exit codes every command shares (documented in the README). An error
 * pycontain means to raise carries its exit code; anything else reaching the CLI is a bug (exit 3).
 */
import { VERSION } from './version.js';

export const EXIT = {
  ok: 0,
  /** The command ran, and what it checked failed (lint findings at the fail level, verify failed, gate exceeded, build failed, a file not overwritten). */
  failed: 1,
  /** Bad input or usage: unreadable project file, corrupt image, unknown option. */
  badInput: 2,
  /** An unexpected exception: a bug in pycontain. */
  internal: 3,
  /** The container engine is missing, or did not answer. */
  engine: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Base of the errors pycontain raises on purpose: the CLI prints the message and exits with `exitCode`. */
export abstract class PycontainError extends Error {
  abstract readonly exitCode: ExitCode;
}

/** What the command checked failed: the CLI exits 1. */
export class CheckFailedError extends PycontainError {
  readonly exitCode = EXIT.failed;
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailedError';
  }
}

/** An error carrying an exit code, whatever copy of these classes made it (bundles, worker threads). */
export function exitCodeOf(err: unknown): number | null {
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === 'number' && Number.isInteger(code) ? code : null;
}

/** The line under an unexpected exception (exit 3). */
export function internalErrorNote(debug: boolean): string {
  return `this is a bug in pycontain ${VERSION}, please report it with the command you ran${debug ? '' : ' and the stack trace PYCONTAIN_DEBUG=1 prints'}\n`;
}
