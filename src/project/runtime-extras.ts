/**
 * Optional extras the app needs at run time. Projects often put the database driver in an extra
 * (`app[postgres]`) and install it in deployment; a container built without it starts and fails on
 * the first connection. When the code connects to a database (a Django ENGINE path or a database
 * URL in a string literal, or a .env file) whose driver only an unrequested extra declares, that
 * extra is installed, or, when the user listed the extras themselves, a warning names the setting.
 * The knowledge is data/runtime-drivers.json.
 */

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Decision, Source, Warning } from '../plan.js';
import { loadData, parseData } from '../util/data.js';
import { normalizeName, parseRequirement } from './pep508.js';
import type { PyProject } from './pyproject.js';
import { scanPython } from './pyscan.js';
import type { SetupMetadata } from './setupcfg.js';

const Backend = z.strictObject({
  name: z.string().min(1),
  drivers: z.array(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'PEP 503 normalized name')).min(1),
  signals: z.array(z.string().min(3)).min(1),
});
const File = z.object({ backends: z.array(Backend).min(1) });
export type DriverBackend = z.infer<typeof Backend>;

export function parseRuntimeDrivers(text: string): DriverBackend[] {
  return parseData('runtime-drivers.json', text, File, (d) => d.backends);
}

export function runtimeDriversTable(): DriverBackend[] {
  return loadData('runtime-drivers.json', File, (d) => d.backends);
}

/** An extra as the manifests declare it: its name, the distributions it adds, where. */
export interface DeclaredExtra {
  name: string;
  packages: string[];
  source: Source;
}

function reqName(s: string): string | null {
  try {
    return parseRequirement(s).normalizedName;
  } catch {
    return null;
  }
}

/** Extras of pyproject `[project.optional-dependencies]`, `[tool.poetry.extras]` and setup.cfg/setup.py. */
export function declaredExtras(pp: PyProject | null, setupMeta: SetupMetadata[] = []): DeclaredExtra[] {
  const out: DeclaredExtra[] = [];
  for (const [name, list] of Object.entries(pp?.project?.['optional-dependencies'] ?? {}))
    out.push({
      name,
      packages: list.map(reqName).filter((x): x is string => Boolean(x)),
      source: { file: pp?.file ?? 'pyproject.toml', line: pp?.line('project.optional-dependencies', name) },
    });
  for (const [name, list] of Object.entries(pp?.poetry?.extras ?? {}))
    out.push({
      name,
      packages: list.map(normalizeName),
      source: { file: pp?.file ?? 'pyproject.toml', line: pp?.line('tool.poetry.extras', name) },
    });
  for (const m of setupMeta)
    for (const [name, list] of Object.entries(m.extrasRequire))
      out.push({
        name,
        packages: list.map((r) => reqName(r.text)).filter((x): x is string => Boolean(x)),
        source: { file: m.file, line: list[0]?.line },
      });
  return out;
}

/** Main (always installed) dependency names the manifests declare. */
export function declaredMainNames(pp: PyProject | null, setupMeta: SetupMetadata[] = []): Set<string> {
  const names = new Set<string>();
  for (const s of pp?.project?.dependencies ?? []) {
    const n = reqName(s);
    if (n) names.add(n);
  }
  for (const [n, v] of Object.entries(pp?.poetry?.dependencies ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'object' && first !== null && (first as { optional?: unknown }).optional === true)
      continue;
    names.add(normalizeName(n));
  }
  for (const m of setupMeta)
    for (const r of m.installRequires) {
      const n = reqName(r.text);
      if (n) names.add(n);
    }
  return names;
}

const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  'venv',
  '.venv',
  'env',
  '.tox',
  '.nox',
  'site-packages',
  '__pycache__',
  'tests',
  'test',
  'docs',
  'build',
  'dist',
]);
const MAX_FILES = 3000;
const MAX_BYTES = 1_000_000;

export interface SignalHit {
  backend: DriverBackend;
  signal: string;
  source: Source;
}

/**
 * The first place each backend is named in the app: string literals of its .py files (read with
 * pyscan, so comments and names do not count) and `.env`-style files. Tests and docs are skipped.
 */
export async function findDriverSignals(
  root: string,
  appDir: string,
  table: DriverBackend[] = runtimeDriversTable(),
): Promise<SignalHit[]> {
  const hits = new Map<string, SignalHit>();
  const check = (text: string, file: string, line: number) => {
    const low = text.toLowerCase();
    for (const b of table) {
      if (hits.has(b.name)) continue;
      const signal = b.signals.find((s) => low.includes(s.toLowerCase()));
      if (signal) hits.set(b.name, { backend: b, signal, source: { file, line } });
    }
  };
  let files = 0;
  const walk = async (rel: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fsp.readdir(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (files >= MAX_FILES || hits.size === table.length) return;
      const child = rel === '.' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(child);
        continue;
      }
      const isPy = e.name.endsWith('.py');
      const isEnv = /^\.env(\.[\w-]+)?$/.test(e.name);
      if (!e.isFile() || (!isPy && !isEnv)) continue;
      files++;
      let text: string;
      try {
        const buf = await fsp.readFile(path.join(root, child));
        if (buf.length > MAX_BYTES) continue;
        text = buf.toString('utf8');
      } catch {
        continue;
      }
      if (isEnv) {
        text.split(/\r?\n/).forEach((l, i) => {
          if (!l.trim().startsWith('#')) check(l, child, i + 1);
        });
        continue;
      }
      let statements: ReturnType<typeof scanPython>;
      try {
        statements = scanPython(text);
      } catch {
        continue;
      }
      for (const st of statements)
        for (const t of st.tokens) if (t.type === 'string') check(t.value, child, t.line);
    }
  };
  await walk(appDir);
  return [...hits.values()];
}

export interface RuntimeExtrasResult {
  /** Extras to install on top of the requested ones. */
  add: string[];
  decisions: Decision[];
  warnings: Warning[];
}

const fmt = (s: Source) => `${s.file}${s.line ? `:${s.line}` : ''}`;

/**
 * For each backend the app connects to and no main dependency drives: the extra that declares a
 * driver for it. `requested` are the extras asked for; when `explicit` (the user listed them) a
 * missing one is a warning, else it is added.
 */
export function extrasForDrivers(
  signals: SignalHit[],
  extras: DeclaredExtra[],
  mainNames: Set<string>,
  requested: string[],
  explicit: boolean,
): RuntimeExtrasResult {
  const out: RuntimeExtrasResult = { add: [], decisions: [], warnings: [] };
  const asked = new Set(requested.map(normalizeName));
  for (const hit of signals) {
    const drivers = new Set(hit.backend.drivers);
    if ([...mainNames].some((n) => drivers.has(n))) continue;
    const withDriver = extras.filter((e) => e.packages.some((p) => drivers.has(p)));
    if (!withDriver.length || withDriver.some((e) => asked.has(normalizeName(e.name)))) continue;
    const extra = withDriver[0] as DeclaredExtra;
    const driver = extra.packages.find((p) => drivers.has(p));
    const why = `the app connects to ${hit.backend.name} ("${hit.signal}" at ${fmt(hit.source)}) and only the extra "${extra.name}" (${fmt(extra.source)}) installs a driver for it (${driver})`;
    if (explicit) {
      out.warnings.push({
        code: 'extra-needed',
        message: `${why}, which [tool.pycontain] extras does not list: add "${extra.name}" to it, or the app fails on its first connection`,
        source: hit.source,
      });
    } else {
      out.add.push(extra.name);
      out.decisions.push({
        topic: 'extras',
        value: extra.name,
        reason: `${why}: installed ([tool.pycontain] extras = [...] decides instead)`,
        source: hit.source,
      });
    }
  }
  return out;
}

/** declaredExtras + findDriverSignals + extrasForDrivers, for detect. */
export async function runtimeExtras(input: {
  root: string;
  appDir: string;
  pyproject: PyProject | null;
  setupMeta?: SetupMetadata[];
  requested?: string[];
}): Promise<RuntimeExtrasResult> {
  const extras = declaredExtras(input.pyproject, input.setupMeta);
  if (!extras.length) return { add: [], decisions: [], warnings: [] };
  const signals = await findDriverSignals(input.root, input.appDir);
  return extrasForDrivers(
    signals,
    extras,
    declaredMainNames(input.pyproject, input.setupMeta),
    input.requested ?? [],
    input.requested !== undefined,
  );
}
