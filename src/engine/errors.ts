import { CheckFailedError, EXIT, PycontainError } from '../errors.js';

/** The engine is missing or does not answer: the CLI exits 4. */
export class EngineError extends PycontainError {
  readonly exitCode = EXIT.engine;
  constructor(
    message: string,
    /** The engine's own last output lines, when there are any. */
    public readonly engineLines: string[] = [],
  ) {
    super(engineLines.length ? `${message}\n${engineLines.map((l) => `  | ${l}`).join('\n')}` : message);
    this.name = 'EngineError';
  }
}

/** The build ran and failed (bad Dockerfile, failing RUN): the CLI exits 1. */
export class BuildFailedError extends CheckFailedError {
  constructor(
    message: string,
    public readonly step: string | null,
    public readonly engineLines: string[],
  ) {
    super(message);
    this.name = 'BuildFailedError';
  }
}
