import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../../plan.js';
import { normalizeName } from '../pep508.js';
import { findKeyLine, findLine, isTable, parseToml, pythonJsonDumps, type TomlTable } from '../toml.js';
import { checkFormatVersion, type LockedPackage, type LockFile, type Staleness } from './types.js';

/** Newest Pipfile.lock `_meta.pipfile-spec` pycontain knows (pipenv has written 6 since 2018). */
export const PIPFILE_SPEC = '6';

export interface Pipfile {
  file: string;
  text: string;
  data: TomlTable;
  sources: { name?: string; url: string; verify_ssl?: boolean }[];
  packages: Record<string, unknown>;
  devPackages: Record<string, unknown>;
  requires: { python_version?: string; python_full_version?: string };
  line(table: string, key?: string): number | undefined;
}

const sourceSchema = z.array(
  z.looseObject({ url: z.string(), name: z.string().optional(), verify_ssl: z.boolean().optional() }),
);

export function parsePipfile(text: string, file: string): Pipfile {
  const data = parseToml(text, file);
  const src = data.source === undefined ? [] : sourceSchema.safeParse(data.source);
  if (!Array.isArray(src) && !src.success) {
    throw new InputError(
      `[[source]] entries need a url: ${src.error.issues[0]?.message}`,
      file,
      findKeyLine(text, 'source'),
    );
  }
  const table = (k: string, v: unknown): Record<string, unknown> => {
    if (v === undefined) return {};
    if (!isTable(v))
      throw new InputError(`[${k}] must be a table`, file, findKeyLine(text, '', k) ?? findKeyLine(text, k));
    return v;
  };
  const req = table('requires', data.requires);
  return {
    file,
    text,
    data,
    sources: Array.isArray(src) ? src : src.data,
    packages: table('packages', data.packages),
    devPackages: table('dev-packages', data['dev-packages']),
    requires: {
      ...(typeof req.python_version === 'string' ? { python_version: req.python_version } : {}),
      ...(typeof req.python_full_version === 'string'
        ? { python_full_version: req.python_full_version }
        : {}),
    },
    line: (t, k) => findKeyLine(text, t, k),
  };
}

const PIPFILE_SECTIONS = new Set([
  'source',
  'packages',
  'dev-packages',
  'requires',
  'scripts',
  'pipfile',
  'pipenv',
  'default',
  'develop',
]);
const DEFAULT_SOURCE = { name: 'pypi', url: 'https://pypi.org/simple', verify_ssl: true };

/**
 * pipenv's Pipfile hash (plette's `Pipfile.get_hash`): sha256 over
 * `json.dumps({"_meta": {"sources", "requires"}, "default": packages, "develop": dev-packages,
 * <custom categories>}, sort_keys=True, separators=(",", ":"))`, with the PyPI source filled in
 * when the Pipfile declares none. Older pipenv did not add custom categories: both are returned.
 */
export function pipfileHashes(p: Pipfile): string[] {
  const base: TomlTable = {
    _meta: { sources: p.data.source ?? [DEFAULT_SOURCE], requires: p.data.requires ?? {} },
    default: p.packages,
    develop: p.devPackages,
  };
  const withCategories: TomlTable = { ...base };
  for (const [k, v] of Object.entries(p.data)) if (!PIPFILE_SECTIONS.has(k)) withCategories[k] = v;
  const h = (o: unknown) => createHash('sha256').update(pythonJsonDumps(o, true), 'utf8').digest('hex');
  return [...new Set([h(withCategories), h(base)])];
}

const lockEntry = z.looseObject({
  version: z.string().optional(),
  hashes: z.array(z.string()).optional(),
  markers: z.string().optional(),
  index: z.string().optional(),
  git: z.string().optional(),
  path: z.string().optional(),
  file: z.string().optional(),
  editable: z.boolean().optional(),
  extras: z.array(z.string()).optional(),
});
const pipfileLock = z.looseObject({
  _meta: z.looseObject({
    hash: z.looseObject({ sha256: z.string().optional() }).optional(),
    'pipfile-spec': z.number().optional(),
    requires: z
      .looseObject({ python_version: z.string().optional(), python_full_version: z.string().optional() })
      .optional(),
    sources: z.array(z.looseObject({ url: z.string(), name: z.string().optional() })).optional(),
  }),
  default: z.record(z.string(), lockEntry).optional(),
  develop: z.record(z.string(), lockEntry).optional(),
});

export interface PipfileLock extends LockFile {
  kind: 'pipenv';
  requires: { python_version?: string; python_full_version?: string };
  sources: { url: string; name?: string }[];
}

export function parsePipfileLock(text: string, file: string): PipfileLock {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // Node 20's JSON.parse names no position: find the first offending offset ourselves.
    const pos = jsonErrorOffset(text);
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    throw new InputError(`invalid JSON: ${(err as Error).message.split('\n')[0]}`, file, line, column);
  }
  const r = pipfileLock.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    const key = issue?.path.at(-1);
    const line =
      typeof key === 'string'
        ? findLine(text, new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`))
        : 1;
    throw new InputError(`${file}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message}`, file, line);
  }
  const raw = r.data;
  const spec = raw._meta['pipfile-spec'];
  const specLine = findLine(text, /"pipfile-spec"\s*:/);
  const notes: string[] = [];
  if (spec !== undefined) {
    const note = checkFormatVersion('pipenv', file, String(spec), PIPFILE_SPEC, specLine, false);
    if (note) notes.push(note);
  }
  const packages: LockedPackage[] = [];
  const add = (entries: Record<string, z.infer<typeof lockEntry>> | undefined, group: string) => {
    for (const [n, e] of Object.entries(entries ?? {})) {
      const name = normalizeName(n);
      const kind = e.git ? 'git' : e.editable ? 'editable' : e.path ? 'path' : e.file ? 'url' : 'registry';
      const existing = packages.find((p) => p.name === name);
      if (existing) {
        existing.groups = [...new Set([...(existing.groups ?? []), group])];
        continue;
      }
      packages.push({
        name,
        version: (e.version ?? '').replace(/^==/, ''),
        // Pipfile.lock records hashes, not file names: wheel availability is unknown.
        wheels: [],
        sdist: kind !== 'registry',
        sourceKind: kind,
        // Pipfile.lock is flat: every package of a section is installed; markers still apply.
        dependencies: [],
        optionalDependencies: {},
        groups: [group],
        line: findLine(text, new RegExp(`^\\s*"${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*\\{`)),
        ...(e.markers ? { marker: e.markers } : {}),
      });
    }
  };
  add(raw.default, 'default');
  add(raw.develop, 'develop');
  return {
    kind: 'pipenv',
    file,
    formatVersion: String(spec ?? PIPFILE_SPEC),
    formatVersionLine: specLine,
    packages,
    ...(raw._meta.hash?.sha256
      ? { contentHash: raw._meta.hash.sha256, contentHashLine: findLine(text, /"sha256"\s*:/) }
      : {}),
    notes,
    requires: raw._meta.requires ?? {},
    sources: raw._meta.sources ?? [],
  };
}

export function pipfileLockStaleness(lock: PipfileLock, pipfile: Pipfile): Staleness {
  if (lock.contentHash && pipfileHashes(pipfile).includes(lock.contentHash))
    return { stale: false, method: 'content-hash', changes: [] };
  const changes: string[] = [];
  const locked = new Set(lock.packages.map((p) => p.name));
  for (const n of [...Object.keys(pipfile.packages), ...Object.keys(pipfile.devPackages)]) {
    if (!locked.has(normalizeName(n)))
      changes.push(`${normalizeName(n)} is in ${pipfile.file} but not in ${lock.file}`);
  }
  if (changes.length === 0 && lock.contentHash)
    changes.push(
      `_meta.hash differs: ${pipfile.file} changed since ${lock.file} was written (run \`pipenv lock\`)`,
    );
  return { stale: changes.length > 0, method: lock.contentHash ? 'content-hash' : 'names', changes };
}

/** Offset of the first JSON syntax error (RFC 8259 grammar), or text.length when it ends early. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const lit = (w: string) => {
    if (text.startsWith(w, i)) i += w.length;
    else fail();
  };
  const str = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if ((text.charCodeAt(i) ?? 0) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m?.[0]) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') str();
    else if (c === 't') lit('true');
    else if (c === 'f') lit('false');
    else if (c === 'n') lit('null');
    else num();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (pos) {
    if (typeof pos === 'number') return Math.min(pos, text.length);
    throw pos;
  }
  return text.length;
}
