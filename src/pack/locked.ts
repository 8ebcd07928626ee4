/**
 * What the venv gets: the Plan's main dependencies (its lock readers already evaluated groups and
 * markers), with the files and sha256 hashes the lock pins for each: uv.lock (URLs and hashes),
 * poetry.lock and pdm.lock (file names and hashes), Pipfile.lock and hashed requirements (hashes).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { InputError, type Plan } from '../plan.js';
import { normalizeName } from '../project/pep508.js';
import { readRequirements } from '../project/requirements.js';

export interface LockedFile {
  filename?: string;
  url?: string;
  sha256?: string;
}

export interface LockedDist {
  name: string;
  version: string;
  /** sha256 hex values the lock accepts (empty: the lock pins none). */
  hashes: string[];
  files: LockedFile[];
  where: { file: string; line?: number };
}

const hex = (h: string) => h.replace(/^sha256[:=]/i, '').toLowerCase();

interface TomlPkg {
  name?: string;
  version?: string;
  wheels?: Array<{ url?: string; path?: string; filename?: string; hash?: string }>;
  sdist?: { url?: string; hash?: string };
  files?: Array<{ file?: string; url?: string; hash?: string }>;
}

function fileOf(f: {
  file?: string;
  url?: string;
  path?: string;
  filename?: string;
  hash?: string;
}): LockedFile {
  const url = f.url;
  const filename = f.filename ?? f.file ?? (url ?? f.path)?.split('#')[0]?.split('/').pop();
  return {
    filename: filename ? decodeURIComponent(filename) : undefined,
    url,
    sha256: f.hash ? hex(f.hash) : undefined,
  };
}

async function lockFiles(plan: Plan): Promise<Map<string, LockedFile[]>> {
  const out = new Map<string, LockedFile[]>();
  const key = (n: string, v: string) => `${normalizeName(n)} ${v}`;
  if (!plan.lockfile) return out;
  const file = path.join(plan.root, plan.lockfile);
  const text = await fsp.readFile(file, 'utf8');
  if (plan.packageManager === 'uv' || plan.packageManager === 'poetry' || plan.packageManager === 'pdm') {
    const data = parseToml(text) as {
      package?: TomlPkg[];
      metadata?: { files?: Record<string, Array<{ file?: string; url?: string; hash?: string }>> };
    };
    for (const p of data.package ?? []) {
      if (!p.name || !p.version) continue;
      const files = [...(p.wheels ?? []), ...(p.sdist ? [p.sdist] : []), ...(p.files ?? [])].map(fileOf);
      out.set(key(p.name, p.version), files);
    }
    for (const [k, files] of Object.entries(data.metadata?.files ?? {})) {
      const [n = '', v = ''] = k.split(' ');
      out.set(key(n, v), files.map(fileOf));
    }
  } else if (plan.packageManager === 'pipenv') {
    const data = JSON.parse(text) as Record<string, Record<string, { version?: string; hashes?: string[] }>>;
    for (const section of ['default', ...(plan.extras ?? [])]) {
      for (const [n, p] of Object.entries(data[section] ?? {})) {
        const v = (p.version ?? '').replace(/^==/, '');
        out.set(
          key(n, v),
          (p.hashes ?? []).map((h) => ({ sha256: hex(h) })),
        );
      }
    }
  }
  return out;
}

async function requirementHashes(
  plan: Plan,
): Promise<Map<string, { hashes: string[]; line: number; file: string }>> {
  const out = new Map<string, { hashes: string[]; line: number; file: string }>();
  const req = plan.requirementsFile ?? plan.lockfile;
  if (!req) return out;
  const parsed = await readRequirements(plan.root, req);
  for (const e of parsed.entries) {
    if (!e.requirement) continue;
    out.set(normalizeName(e.requirement.name), {
      hashes: e.hashes.filter((h) => /^sha256:/i.test(h)).map(hex),
      line: e.source.line,
      file: e.source.file,
    });
  }
  return out;
}

export async function lockedDists(plan: Plan): Promise<LockedDist[]> {
  const wanted = new Set(plan.extras ?? []);
  const deps = plan.dependencies.filter((d) => !d.group || wanted.has(d.group));
  const pm = plan.packageManager;
  if (pm === 'setuptools' || (!plan.lockfile && pm !== 'pip' && pm !== 'pip-tools'))
    throw new InputError(
      'pack installs from a lock: this project has none (pin it with pip-compile --generate-hashes, uv lock, poetry lock or pdm lock)',
    );
  const fromLock = await lockFiles(plan);
  const fromReq = pm === 'pip' || pm === 'pip-tools' ? await requirementHashes(plan) : new Map();
  const out: LockedDist[] = [];
  for (const d of deps) {
    const where = { file: d.source?.file ?? plan.lockfile ?? 'requirements.txt', line: d.source?.line };
    if (!d.version)
      throw new InputError(
        `${d.name} is not pinned to one version: pack installs exact pins only`,
        where.file,
        where.line,
      );
    const files = fromLock.get(`${normalizeName(d.name)} ${d.version}`) ?? [];
    const req = fromReq.get(normalizeName(d.name));
    const hashes = [
      ...new Set([...files.map((f) => f.sha256).filter((h): h is string => !!h), ...(req?.hashes ?? [])]),
    ];
    if (!hashes.length)
      throw new InputError(
        `${d.name}==${d.version} has no sha256 in the lock: pack only installs files whose hashes the lock pins (pip-compile --generate-hashes)`,
        where.file,
        where.line,
      );
    out.push({ name: normalizeName(d.name), version: d.version, hashes, files, where });
  }
  return out;
}
