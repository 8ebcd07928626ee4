/**
 * `pycontain init`: detect the project, render Dockerfile + .dockerignore, and write them safely:
 * never over an existing file without `force`, both files or neither, each one atomically.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { CheckFailedError } from '../errors.js';
import type { Overrides, Plan } from '../plan.js';
import { readTextIfExists, writeFileAtomic } from '../util/fs.js';
import { unifiedDiff } from './diff.js';
import { checkDockerignore, gitignoreToDockerignore, renderDockerignore } from './dockerignore.js';
import { layoutOf, type RenderOptions, renderDockerfile } from './render.js';

export interface InitOptions {
  force?: boolean;
  dryRun?: boolean;
  diff?: boolean;
  overrides?: Overrides;
  /** Presentation options of the renderer (tests: `syntax: null`). */
  render?: RenderOptions;
}

export interface InitResult {
  /** Files written, relative to dir. */
  written: string[];
  /** Files left alone because they already had exactly this content. */
  skipped: string[];
  /** What the command prints. */
  output: string;
}

/** Error for "would overwrite": the CLI exits 1 (the check failed), not 2 (bad input). */
export class ExistingFileError extends CheckFailedError {
  constructor(public readonly files: string[]) {
    super(
      `${files.join(' and ')} already exist${files.length === 1 ? 's' : ''}; pycontain init does not overwrite ${files.length === 1 ? 'it' : 'them'}. ` +
        'Run `pycontain init --diff` to see what would change, or `pycontain init --force` to replace ' +
        `${files.length === 1 ? 'it' : 'them'}.`,
    );
    this.name = 'ExistingFileError';
  }
}

/** The start command cannot work: nothing is written (a dry run still shows the files). */
export class BrokenCommandError extends CheckFailedError {
  constructor(
    readonly problems: { code: string; message: string }[],
    readonly output = '',
  ) {
    super(
      `the start command pycontain found cannot work, so no Dockerfile was written:\n${problems
        .map((p) => `  - ${p.message} (${p.code})`)
        .join(
          '\n',
        )}\nchoose the command with --command "..." (or \`command\` in [tool.pycontain] of pyproject.toml)`,
    );
    this.name = 'BrokenCommandError';
  }
}

export interface GeneratedFiles {
  plan: Plan;
  dockerfile: string;
  dockerignore: string;
}

/** Plan -> both files, with the .dockerignore checked against what the Dockerfile needs. */
export async function generateFiles(plan: Plan, opts: RenderOptions = {}): Promise<GeneratedFiles> {
  const dockerfile = renderDockerfile(plan, opts);
  const gitignore = await collectGitignores(plan);
  const dockerignore = renderDockerignore(plan, gitignore, dockerfile);
  const problems = checkDockerignore(plan, dockerignore, dockerfile);
  if (problems.length) {
    // renderDockerignore re-includes every needed file; reaching this is a bug, not bad input.
    throw new Error(
      `internal error: the generated .dockerignore excludes ${problems.map((p) => `${p.file} (${p.reason})`).join(', ')}`,
    );
  }
  return { plan, dockerfile, dockerignore };
}

/** The root .gitignore plus the app directory's (and the directory copied to /app), in context terms. */
async function collectGitignores(plan: Plan): Promise<string | null> {
  const dirs = new Set<string>(['']);
  const { srcBase } = layoutOf(plan);
  const appDir = plan.appDir === '.' ? '' : plan.appDir.replace(/\/+$/, '');
  if (srcBase) dirs.add(srcBase);
  if (appDir) dirs.add(appDir);
  const parts: string[] = [];
  for (const d of dirs) {
    const text = await readTextIfExists(path.join(plan.root, d, '.gitignore'));
    if (text === null) continue;
    if (d === '') parts.push(text);
    // Lines of a nested .gitignore are rewritten relative to the root already; keep them as
    // Docker patterns by translating here and re-emitting them as anchored lines.
    else
      parts.push(
        gitignoreToDockerignore(text, d)
          .map((l) => (l.startsWith('!') ? `!/${l.slice(1)}` : `/${l}`))
          .join('\n'),
      );
  }
  return parts.length ? parts.join('\n') : null;
}

const FILES = ['Dockerfile', '.dockerignore'] as const;

export async function initProject(dir: string, o: InitOptions = {}): Promise<InitResult> {
  const { detectProject } = await import('../project/detect.js');
  const plan = await detectProject(dir, o.overrides ?? {});
  // detect checked the command it chose (a command the user chose is theirs): never write one that cannot start.
  const problems = plan.warnings.filter((w) => w.code.startsWith('command-'));
  const gen = await generateFiles(plan, o.render);
  const root = plan.root || path.resolve(dir);
  const contents: Record<(typeof FILES)[number], string> = {
    Dockerfile: gen.dockerfile,
    '.dockerignore': gen.dockerignore,
  };
  const existing: Record<string, string | null> = {};
  for (const f of FILES) {
    try {
      existing[f] = await readTextIfExists(path.join(root, f));
    } catch (err) {
      // Something that is not a readable file (a directory, say) is in the way: it exists.
      if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
      existing[f] = '';
    }
  }

  if (o.dryRun || o.diff) {
    const out: string[] = [];
    for (const f of FILES) {
      if (o.diff) {
        const d = unifiedDiff(existing[f] ?? null, contents[f], `a/${f}`, `b/${f}`);
        out.push(d || `${f}: unchanged\n`);
      } else {
        out.push(`# ----- ${f} -----\n${contents[f]}`);
      }
    }
    if (problems.length) throw new BrokenCommandError(problems, out.join('\n'));
    return { written: [], skipped: [], output: out.join('\n') };
  }
  if (problems.length) throw new BrokenCommandError(problems);

  const toWrite = FILES.filter((f) => existing[f] !== contents[f]);
  const skipped = FILES.filter((f) => existing[f] === contents[f]);
  const blocked = toWrite.filter((f) => existing[f] !== null);
  if (blocked.length && !o.force) throw new ExistingFileError(blocked);

  // Both files or neither: if the second write fails, put the first one back.
  const done: string[] = [];
  try {
    for (const f of toWrite) {
      await writeFileAtomic(path.join(root, f), contents[f]);
      done.push(f);
    }
  } catch (err) {
    for (const f of done) {
      const prev = existing[f];
      if (prev === null || prev === undefined) await fsp.rm(path.join(root, f), { force: true });
      else await writeFileAtomic(path.join(root, f), prev);
    }
    throw err;
  }
  const lines: string[] = [];
  for (const f of toWrite) lines.push(`wrote ${f}${existing[f] !== null ? ' (replaced)' : ''}`);
  for (const f of skipped) lines.push(`${f} is up to date`);
  lines.push(summary(plan));
  return { written: toWrite, skipped, output: `${lines.join('\n')}\n` };
}

function summary(plan: Plan): string {
  const bits = [
    `${plan.packageManager} project`,
    `${plan.framework} app`,
    `Python ${plan.pythonVersion}`,
    `runtime ${plan.image.runtime}${plan.image.distroless ? ' (distroless)' : ''}`,
    plan.port !== null ? `port ${plan.port}` : 'no port',
  ];
  const natives = plan.native.map((n) => n.package);
  if (natives.length) bits.push(`native: ${natives.join(', ')}`);
  const warnings = plan.warnings.map(
    (w) =>
      `warning: ${w.message}${w.source ? ` (${w.source.file}${w.source.line ? `:${w.source.line}` : ''})` : ''}`,
  );
  return `${bits.join(', ')}\n${warnings.length ? `${warnings.join('\n')}\n` : ''}next: docker build -t app ${plan.root === process.cwd() ? '.' : plan.root}   (or: pycontain build)`;
}
