/**
 * What project-aware rules know about the directory beside the Dockerfile. Loaded lazily (only
 * when such a rule is enabled) because detection reads many files and imports the project readers.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Plan } from '../plan.js';
import { looksLikePython, noProjectNote } from './project-markers.js';
import type { ProjectInfo } from './types.js';

export interface LoadProjectOptions {
  /** Use this Plan instead of running detectProject (tests, callers that already have one). */
  plan?: Plan | null;
  /** Run detectProject when no plan is given (default true). */
  detect?: boolean;
}

export async function loadProject(
  dockerfile: string,
  opts: LoadProjectOptions = {},
): Promise<{ project: ProjectInfo | null; notes: string[] }> {
  const dir = path.dirname(path.resolve(dockerfile));
  const notes: string[] = [];
  if (!looksLikePython(dir) && opts.plan === undefined) {
    notes.push(noProjectNote(dockerfile));
    return { project: null, notes };
  }
  const stats = new Map<string, ReturnType<typeof statSync> | null>();
  const stat = (rel: string) => {
    if (!stats.has(rel)) {
      try {
        stats.set(rel, statSync(path.join(dir, rel)));
      } catch {
        stats.set(rel, null);
      }
    }
    return stats.get(rel) ?? null;
  };
  const texts = new Map<string, string | null>();
  const read = (rel: string): string | null => {
    if (!texts.has(rel)) {
      try {
        texts.set(rel, readFileSync(path.join(dir, rel), 'utf8'));
      } catch {
        texts.set(rel, null);
      }
    }
    return texts.get(rel) ?? null;
  };

  let plan: Plan | null = opts.plan ?? null;
  let planError: string | undefined;
  if (opts.plan === undefined && opts.detect !== false) {
    try {
      const { detectProject } = await import('../project/detect.js');
      plan = await detectProject(dir);
    } catch (err) {
      planError = (err as Error).message;
      notes.push(`project detection failed (${planError}): rules that need the Plan skipped`);
    }
  }

  // BuildKit prefers <Dockerfile>.dockerignore beside the Dockerfile over .dockerignore.
  const own = `${path.basename(dockerfile)}.dockerignore`;
  const ignoreName = stat(own) ? own : '.dockerignore';
  const ignoreText = read(ignoreName);
  let dockerignore: ProjectInfo['dockerignore'] = null;
  if (ignoreText !== null) {
    const excluded = await compileIgnore(ignoreText);
    dockerignore = { text: ignoreText, excluded };
  }

  const project: ProjectInfo = {
    dir,
    plan,
    planError,
    exists: (rel) => stat(rel) !== null,
    isDir: (rel) => stat(rel)?.isDirectory() ?? false,
    read,
    dockerignore,
    requiresPython: await requiresPython(read, plan, notes),
  };
  return { project, notes };
}

/** Build a ProjectInfo from in-memory files (tests, editors with unsaved buffers). */
export async function projectFromFiles(
  files: Record<string, string>,
  plan: Plan | null,
  dir = '/project',
): Promise<ProjectInfo> {
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) {
    const parts = f.split('/');
    for (let k = 1; k < parts.length; k++) dirs.add(parts.slice(0, k).join('/'));
  }
  const read = (rel: string): string | null => files[rel] ?? null;
  const ignoreText = files['.dockerignore'] ?? null;
  const notes: string[] = [];
  return {
    dir,
    plan,
    exists: (rel) => rel in files || dirs.has(rel),
    isDir: (rel) => dirs.has(rel),
    read,
    dockerignore:
      ignoreText === null ? null : { text: ignoreText, excluded: await compileIgnore(ignoreText) },
    requiresPython: await requiresPython(read, plan, notes),
  };
}

type Matcher = (rel: string, isDir?: boolean) => boolean;

/** Docker's .dockerignore semantics, from the generator's module (src/dockerfile/dockerignore.ts). */
async function compileIgnore(text: string): Promise<Matcher> {
  const { compileDockerignore } = await import('../dockerfile/dockerignore.js');
  return compileDockerignore(text);
}

async function requiresPython(
  read: (rel: string) => string | null,
  plan: Plan | null,
  notes: string[],
): Promise<ProjectInfo['requiresPython']> {
  const appDir = plan?.appDir && plan.appDir !== '.' ? plan.appDir : '';
  const file = appDir ? `${appDir}/pyproject.toml` : 'pyproject.toml';
  const text = read(file);
  if (text === null) return null;
  try {
    const { parse } = await import('smol-toml');
    const doc = parse(text) as {
      project?: { 'requires-python'?: unknown };
      tool?: { poetry?: { dependencies?: { python?: unknown } } };
    };
    const pep621 = doc.project?.['requires-python'];
    const poetry = doc.tool?.poetry?.dependencies?.python;
    let alternatives: string[];
    let spec: string;
    let key: RegExp;
    if (typeof pep621 === 'string') {
      spec = pep621;
      alternatives = [pep621];
      key = /^\s*requires-python\s*=/m;
    } else if (typeof poetry === 'string') {
      const { poetryToPep440Alternatives } = await import('../project/poetry-constraint.js');
      spec = poetry;
      alternatives = poetryToPep440Alternatives(poetry);
      key = /^\s*python\s*=/m;
    } else return null;
    const { minorsSatisfying } = await import('../project/pep440.js');
    const m = key.exec(text);
    const line = m ? text.slice(0, m.index + m[0].length).split('\n').length : 1;
    return {
      spec,
      file,
      line,
      allows: (minor) =>
        alternatives.some((alt) => {
          if (alt.trim() === '' || alt.trim() === '*') return true;
          try {
            return minorsSatisfying(alt, [minor]).length > 0;
          } catch {
            return true;
          }
        }),
    };
  } catch (err) {
    notes.push(`${file}: cannot read the Python requirement (${(err as Error).message})`);
    return null;
  }
}
