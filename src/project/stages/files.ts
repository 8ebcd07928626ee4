import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { type PyProject, parsePyProject } from '../pyproject.js';

/** A path relative to the scanned root, for a file in `dir` (`.` is the root itself). */
export const join = (dir: string, f: string) => (dir === '.' || dir === '' ? f : `${dir}/${f}`);

/** A file's text, or null when it is absent (a directory of that name counts as absent). */
export async function readText(root: string, rel: string): Promise<string | null> {
  try {
    return await fsp.readFile(path.join(root, rel), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return null;
    throw err;
  }
}

export async function fileExists(root: string, rel: string): Promise<boolean> {
  try {
    return (await fsp.stat(path.join(root, rel))).isFile();
  } catch {
    return false;
  }
}

export async function dirExists(root: string, rel: string): Promise<boolean> {
  try {
    return (await fsp.stat(path.join(root, rel))).isDirectory();
  } catch {
    return false;
  }
}

export async function readPy(root: string, rel: string): Promise<PyProject | null> {
  const text = await readText(root, rel);
  return text === null ? null : parsePyProject(text, rel);
}

/** 1-based line of the `n`th (0-based) line matching `re`: the `[[...]]` array-of-tables headers. */
export function nthLine(text: string, re: RegExp, n: number): number | undefined {
  const lines = text.split(/\r?\n/);
  let seen = -1;
  for (let i = 0; i < lines.length; i++) if (re.test(lines[i] ?? '') && ++seen === n) return i + 1;
  return undefined;
}

/** 1-based line where the quoted string `s` first appears (a dependency in a TOML array). */
export function lineOfString(text: string, s: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => l.includes(`"${s}"`) || l.includes(`'${s}'`));
  return i >= 0 ? i + 1 : undefined;
}

export const fmtSrc = (s: { file: string; line?: number } | undefined) =>
  s ? `${s.file}${s.line ? `:${s.line}` : ''}` : '';
