import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Decision, PackageManager, Source, Warning } from '../plan.js';
import type { Pipfile } from './locks/pipfile.js';
import type { PyProject } from './pyproject.js';
import { usesPoetryBackend } from './pyproject.js';

/**
 * Which package manager installs the dependencies. Several signals can coexist (a Poetry project
 * with an exported requirements.txt, a uv.lock next to a stale Pipfile...). The precedence, first
 * match wins:
 *
 *   1. uv.lock                       -> uv
 *   2. poetry.lock                   -> poetry
 *   3. pdm.lock                      -> pdm
 *   4. Pipfile.lock                  -> pipenv
 *   5. [tool.poetry] with dependencies, or a poetry-core build backend  -> poetry (no lock)
 *   6. [tool.pdm]                    -> pdm (no lock)
 *   7. [tool.uv]                     -> uv (no lock)
 *   8. Pipfile                       -> pipenv (no lock)
 *   9. requirements.in (+ the requirements.txt compiled from it)        -> pip-tools
 *  10. requirements.txt (or requirements/*.txt, requirements-prod.txt)  -> pip
 *  11. pyproject.toml [project], setup.py or setup.cfg                  -> setuptools (`pip install .`)
 *
 * A lock file is the strongest signal: it is what was resolved and tested, and installing from it is
 * the only reproducible choice. Manager-specific configuration comes next, then requirement files,
 * then bare project metadata (which every manager also uses, so it never conflicts). A signal that
 * loses against a different manager is named in a 'pm-conflict' warning; a requirements.txt that is
 * an export of the winning lock (a generator header, or the same pins) is not a second manager.
 */

export interface PmSignal {
  manager: PackageManager;
  /** What was seen, for humans: 'uv.lock', '[tool.poetry] in pyproject.toml'. */
  what: string;
  source: Source;
  /** The rank in the precedence list above (1 = strongest). */
  rank: number;
  lock?: string;
}

export interface PmDetection {
  manager: PackageManager;
  lockfile: string | null;
  signals: PmSignal[];
  winner: PmSignal;
  /** Main requirements file (pip, pip-tools), relative to root. */
  requirementsFile: string | null;
  /** requirements.in, when pip-tools. */
  requirementsIn: string | null;
  /** Other requirements files seen (dev, test...). */
  otherRequirements: string[];
}

async function exists(abs: string): Promise<boolean> {
  try {
    return (await fsp.stat(abs)).isFile();
  } catch {
    return false;
  }
}

/** requirements files of a directory, the production one first. */
export async function findRequirementFiles(
  root: string,
  appDir: string,
): Promise<{ main: string | null; in: string | null; others: string[] }> {
  const abs = path.join(root, appDir);
  const j = (f: string) => (appDir === '.' ? f : `${appDir}/${f}`);
  let names: string[] = [];
  try {
    names = await fsp.readdir(abs);
  } catch {
    return { main: null, in: null, others: [] };
  }
  const files = names.filter((n) => /^requirements([-_.][\w.-]+)?\.(txt|in)$/.test(n));
  const sub: string[] = [];
  if (names.includes('requirements')) {
    try {
      for (const n of await fsp.readdir(path.join(abs, 'requirements')))
        if (/\.(txt|in)$/.test(n)) sub.push(`requirements/${n}`);
    } catch {
      // not a directory
    }
  }
  const all = [...files, ...sub];
  const isDev = (f: string) =>
    /(^|[-_./])(dev|develop|development|test|tests|testing|lint|docs?|ci|local|tox|typing|mypy)([-_.]|$)/i.test(
      f,
    );
  const prefer = [
    'requirements.txt',
    'requirements/prod.txt',
    'requirements/production.txt',
    'requirements/main.txt',
    'requirements/base.txt',
    'requirements/common.txt',
    'requirements-prod.txt',
    'requirements-production.txt',
    'requirements_prod.txt',
    'requirements-main.txt',
    'requirements-base.txt',
  ];
  let main = prefer.find((p) => all.includes(p)) ?? null;
  if (!main) main = all.find((f) => f.endsWith('.txt') && !isDev(f)) ?? null;
  const inFile = main ? main.replace(/\.txt$/, '.in') : 'requirements.in';
  const reqIn = all.includes(inFile) ? inFile : all.includes('requirements.in') ? 'requirements.in' : null;
  const others = all.filter((f) => f !== main && f !== reqIn);
  return { main: main ? j(main) : null, in: reqIn ? j(reqIn) : null, others: others.map(j) };
}

export interface PmInput {
  root: string;
  appDir: string;
  /** Where the lock of a uv workspace sits ('.' or the app dir). */
  lockDir?: string;
  pyproject: PyProject | null;
  pipfile: Pipfile | null;
  /** setup.py / setup.cfg present (relative paths). */
  setupFiles: string[];
}

export async function detectPackageManager(input: PmInput): Promise<PmDetection> {
  const { root, appDir, pyproject: pp } = input;
  const j = (dir: string, f: string) => (dir === '.' ? f : `${dir}/${f}`);
  const signals: PmSignal[] = [];
  const lockDirs = [...new Set([appDir, input.lockDir ?? appDir])];
  const locks: [string, PackageManager, number][] = [
    ['uv.lock', 'uv', 1],
    ['poetry.lock', 'poetry', 2],
    ['pdm.lock', 'pdm', 3],
    ['Pipfile.lock', 'pipenv', 4],
  ];
  for (const [name, manager, rank] of locks) {
    for (const d of lockDirs) {
      const rel = j(d, name);
      if (await exists(path.join(root, rel))) {
        signals.push({ manager, what: rel, source: { file: rel }, rank, lock: rel });
        break;
      }
    }
  }
  if (pp) {
    const poetryHasDeps = Boolean(
      pp.poetry &&
        (pp.poetry.dependencies || pp.poetry.group || pp.poetry['dev-dependencies'] || pp.poetry.name),
    );
    if (poetryHasDeps)
      signals.push({
        manager: 'poetry',
        what: `[tool.poetry] in ${pp.file}`,
        source: { file: pp.file, line: pp.line('tool.poetry') ?? pp.line('tool.poetry.dependencies') },
        rank: 5,
      });
    else if (usesPoetryBackend(pp))
      signals.push({
        manager: 'poetry',
        what: `poetry-core build backend in ${pp.file}`,
        source: { file: pp.file, line: pp.line('build-system', 'build-backend') },
        rank: 5,
      });
    if (pp.pdm)
      signals.push({
        manager: 'pdm',
        what: `[tool.pdm] in ${pp.file}`,
        source: { file: pp.file, line: pp.line('tool.pdm') ?? firstLineUnder(pp, 'tool.pdm') },
        rank: 6,
      });
    if (pp.uv)
      signals.push({
        manager: 'uv',
        what: `[tool.uv] in ${pp.file}`,
        source: { file: pp.file, line: pp.line('tool.uv') ?? firstLineUnder(pp, 'tool.uv') },
        rank: 7,
      });
  }
  if (input.pipfile)
    signals.push({
      manager: 'pipenv',
      what: input.pipfile.file,
      source: { file: input.pipfile.file },
      rank: 8,
    });
  const req = await findRequirementFiles(root, appDir);
  if (req.in)
    signals.push({
      manager: 'pip-tools',
      what: req.main ? `${req.in} compiled to ${req.main}` : req.in,
      source: { file: req.in },
      rank: 9,
    });
  if (req.main && !req.in)
    signals.push({ manager: 'pip', what: req.main, source: { file: req.main }, rank: 10 });
  if (pp?.project)
    signals.push({
      manager: 'setuptools',
      what: `[project] in ${pp.file}`,
      source: { file: pp.file, line: pp.line('project') },
      rank: 11,
    });
  for (const f of input.setupFiles)
    signals.push({ manager: 'setuptools', what: f, source: { file: f }, rank: 11 });
  if (pp?.buildSystem && !pp.project && !pp.poetry)
    signals.push({
      manager: 'setuptools',
      what: `[build-system] in ${pp.file}`,
      source: { file: pp.file, line: pp.line('build-system') },
      rank: 11,
    });

  signals.sort((a, b) => a.rank - b.rank);
  const winner = signals[0];
  if (!winner) {
    return {
      manager: 'pip',
      lockfile: null,
      signals,
      winner: { manager: 'pip', what: 'nothing', source: { file: appDir }, rank: 99 },
      requirementsFile: null,
      requirementsIn: null,
      otherRequirements: req.others,
    };
  }
  const lockfile = winner.lock ?? (winner.manager === 'pip-tools' ? req.main : null);
  return {
    manager: winner.manager,
    lockfile,
    signals,
    winner,
    requirementsFile:
      winner.manager === 'pip' || winner.manager === 'pip-tools' ? (req.main ?? req.in) : req.main,
    requirementsIn: req.in,
    otherRequirements: req.others,
  };
}

/** Dotted-key form (`tool.pdm.distribution = false` at the top level) has no header line. */
function firstLineUnder(pp: PyProject, table: string): number | undefined {
  const lines = pp.text.split(/\r?\n/);
  const i = lines.findIndex((l) => l.trim().startsWith(`[${table}.`) || l.trim().startsWith(`${table}.`));
  return i >= 0 ? i + 1 : undefined;
}

export interface ConflictInput {
  detection: PmDetection;
  /** The requirements.txt was generated by the winner (header) or carries the winner's lock pins. */
  requirementsIsExport?: { file: string; how: string };
}

/** Decision for the winner plus 'pm-conflict' warnings for every loser of a different manager. */
export function explainPackageManager({ detection, requirementsIsExport }: ConflictInput): {
  decisions: Decision[];
  warnings: Warning[];
} {
  const { winner, signals } = detection;
  const decisions: Decision[] = [];
  const warnings: Warning[] = [];
  const same = signals.filter((s) => s !== winner && s.manager === winner.manager).map((s) => s.what);
  const rankText: Record<number, string> = {
    1: 'a uv.lock is the strongest signal',
    2: 'a poetry.lock pins every dependency',
    3: 'a pdm.lock pins every dependency',
    4: 'a Pipfile.lock pins every dependency',
    5: 'Poetry configuration, no lock file',
    6: 'PDM configuration, no lock file',
    7: 'uv configuration, no lock file',
    8: 'a Pipfile, no Pipfile.lock',
    9: 'pip-tools input file',
    10: 'a requirements file',
    11: 'project metadata only: the project is installed with pip from its own metadata',
  };
  decisions.push({
    topic: 'packageManager',
    value: winner.manager,
    reason: `${winner.what}: ${rankText[winner.rank] ?? 'detected'}${same.length ? ` (also ${same.join(', ')})` : ''}`,
    source: winner.source,
  });
  for (const s of signals) {
    if (s === winner || s.manager === winner.manager) continue;
    // Project metadata is shared by every manager: never a conflict.
    if (s.manager === 'setuptools') continue;
    if (
      requirementsIsExport &&
      (s.manager === 'pip' || s.manager === 'pip-tools') &&
      s.source.file === requirementsIsExport.file
    ) {
      decisions.push({
        topic: 'packageManager (export)',
        value: s.what,
        reason: `${requirementsIsExport.how}: an export of ${winner.what}, not a second package manager`,
        source: s.source,
      });
      continue;
    }
    warnings.push({
      code: 'pm-conflict',
      message: `${s.what} suggests ${s.manager}, but ${winner.what} (${winner.manager}) takes precedence; ${s.what} is ignored for the install`,
      source: s.source,
    });
  }
  return { decisions, warnings };
}
