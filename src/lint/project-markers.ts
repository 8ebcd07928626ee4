/**
 * Whether a Python project sits beside a Dockerfile: checked before the project readers are loaded
 * (src/lint/project.ts and, in the lint bundle, dist/cli/lint-project.cjs), which cost more to
 * load than a lint run without them takes.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

const PROJECT_MARKERS = ['pyproject.toml', 'setup.py', 'setup.cfg', 'Pipfile', 'manage.py'];

/** True when the directory looks like a Python project (or an app inside it). */
export function looksLikePython(dir: string): boolean {
  try {
    const names = readdirSync(dir);
    return names.some((n) => PROJECT_MARKERS.includes(n) || /^requirements.*\.(txt|in)$/.test(n));
  } catch {
    return false;
  }
}

/** True when the directory of this Dockerfile looks like a Python project. */
export function hasProjectBeside(dockerfile: string): boolean {
  return looksLikePython(path.dirname(path.resolve(dockerfile)));
}

/** The note when there is none (the same whether or not the project readers were loaded). */
export function noProjectNote(dockerfile: string): string {
  return `no Python project beside ${dockerfile}: project-aware rules skipped`;
}
