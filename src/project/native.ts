/**
 * Native dependencies: which Python distributions need Debian packages, to build them (builder stage)
 * and to run them (runtime stage). The knowledge is data (data/native-packages.json); this module
 * decides, per dependency, whether a build happens and which runtime libraries the installed
 * artefact really loads.
 */

import { z } from 'zod';
import type { Decision, Dependency, NativeNeed } from '../plan.js';
import { loadData, parseData } from '../util/data.js';
import { baseImagesData } from './images.js';

const RuntimeLib = z.object({
  package: z.string().min(1),
  sonames: z.array(z.string()),
  executables: z.array(z.string()).optional(),
  /**
   * always: even a manylinux or pure wheel needs it (not vendored);
   * unvendored: a source build or a distro-built wheel links it;
   * distro-wheel: only a distro-built wheel links it (a source build bundles its own copy).
   */
  need: z.enum(['always', 'unvendored', 'distro-wheel']).default('unvendored'),
});

const Entry = z.object({
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'PEP 503 normalized name'),
  import: z.string().nullable(),
  build: z.enum(['always', 'no-wheel', 'never']),
  buildPackages: z.array(z.string()),
  runtime: z.array(RuntimeLib),
  unlessPresent: z.array(z.string()).optional(),
  implies: z.array(z.string()).optional(),
  note: z.string().min(1),
});

const Renames = z.object({
  packages: z.record(z.string(), z.string()),
  sonames: z.record(z.string(), z.string()),
});

const NativeFile = z.object({
  packages: z.array(Entry),
  implies: z.record(z.string(), z.union([z.array(z.string()), z.string()])),
  sonames: z.record(z.string(), z.string()),
  renames: z.record(z.string(), z.union([Renames, z.string()])),
});

export type NativeEntry = z.infer<typeof Entry>;

interface NativeData {
  entries: NativeEntry[];
  byName: Map<string, NativeEntry>;
  implies: Map<string, string[]>;
  sonames: Map<string, string>;
  renames: Map<string, { packages: Map<string, string>; sonames: Map<string, string> }>;
}

/** Parse and validate the native table; exported for tests that feed broken data. */
export function parseNativeData(text: string): NativeData {
  return parseData('native-packages.json', text, NativeFile, indexNative);
}

function indexNative(parsed: z.output<typeof NativeFile>): NativeData {
  const byName = new Map<string, NativeEntry>();
  for (const e of parsed.packages) {
    if (byName.has(e.name)) throw new Error(`duplicate entry ${e.name}`);
    byName.set(e.name, e);
  }
  const implies = new Map<string, string[]>();
  for (const [k, v] of Object.entries(parsed.implies))
    if (!k.startsWith('$') && Array.isArray(v)) implies.set(k, v);
  const sonames = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed.sonames)) if (!k.startsWith('$')) sonames.set(k, v);
  const renames = new Map<string, { packages: Map<string, string>; sonames: Map<string, string> }>();
  for (const [k, v] of Object.entries(parsed.renames)) {
    if (k.startsWith('$') || typeof v === 'string') continue;
    renames.set(k, {
      packages: new Map(Object.entries(v.packages)),
      sonames: new Map(Object.entries(v.sonames)),
    });
  }
  return { entries: parsed.packages, byName, implies, sonames, renames };
}

function data(): NativeData {
  return loadData('native-packages.json', NativeFile, indexNative);
}

/** The native table (data/native-packages.json), validated. */
export function nativeTable(): NativeEntry[] {
  return data().entries;
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Debian package for a Debian 12 name on a later release (t64 renames and library bumps). */
export function debianPackageName(pkg: string, debian = 'bookworm'): string {
  return data().renames.get(debian)?.packages.get(pkg) ?? pkg;
}

function sonameFor(soname: string, debian: string): string {
  return data().renames.get(debian)?.sonames.get(soname) ?? soname;
}

/**
 * The Debian package that ships a shared object, e.g. 'libpq.so.5' -> 'libpq5'. Accepts the names of
 * bookworm and of later releases; `debian` picks the release the answer is for.
 */
export function debianPackageForSoname(soname: string, debian = 'bookworm'): string | null {
  const d = data();
  // A later release's soname (libldap.so.2) maps back to its bookworm spelling first.
  let base = soname;
  for (const r of d.renames.values()) for (const [from, to] of r.sonames) if (to === soname) base = from;
  let pkg: string | undefined;
  for (const e of d.entries) {
    const hit = e.runtime.find((lib) => lib.sonames.includes(base));
    if (hit) {
      pkg = hit.package;
      break;
    }
  }
  pkg ??= d.sonames.get(base);
  return pkg ? debianPackageName(pkg, debian) : null;
}

/** What kind of installable artefact the recorded wheels give for this Python on Linux. */
export type WheelKind = 'manylinux' | 'pure' | 'distro' | 'none' | 'unknown';

interface WheelTags {
  python: string[];
  abi: string[];
  platform: string[];
}

export function parseWheelName(file: string): WheelTags | null {
  const base = file.split('/').pop() ?? file;
  if (!base.endsWith('.whl')) return null;
  const parts = base.slice(0, -4).split('-');
  if (parts.length < 5 || parts.length > 6) return null;
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  return { python: py.split('.'), abi: abi.split('.'), platform: plat.split('.') };
}

function pythonTagFits(tags: WheelTags, pythonVersion: string): boolean {
  const [maj, min] = pythonVersion.split('.').map((n) => Number.parseInt(n, 10)) as [number, number];
  const cp = `cp${maj}${min}`;
  for (const t of tags.python) {
    if (t === cp || t === `py${maj}` || t === `py${maj}${min}`) return true;
    // Stable ABI: a cp3N-abi3 wheel works on every CPython >= 3.N.
    const m = /^cp(\d)(\d+)$/.exec(t);
    if (m && tags.abi.includes('abi3') && Number(m[1]) === maj && Number(m[2]) <= min) return true;
  }
  return false;
}

const LINUX_ARCH = /(x86_64|aarch64)$/;

/**
 * Classify the wheels recorded for a dependency for CPython `pythonVersion` on glibc Linux
 * (x86_64 or aarch64): a manylinux wheel vendors its libraries, a plain linux_* wheel is a distro or
 * local build that links the system's, 'pure' runs anywhere, 'none' means pip will build the sdist.
 */
export function classifyWheels(wheels: string[] | undefined, pythonVersion: string): WheelKind {
  if (!wheels) return 'unknown';
  let best: WheelKind = 'none';
  const rank: Record<WheelKind, number> = { none: 0, unknown: 0, distro: 1, pure: 2, manylinux: 3 };
  for (const w of wheels) {
    const tags = parseWheelName(w);
    if (!tags || !pythonTagFits(tags, pythonVersion)) continue;
    for (const p of tags.platform) {
      let kind: WheelKind | null = null;
      if (p === 'any') kind = 'pure';
      else if (/^manylinux/.test(p) && LINUX_ARCH.test(p)) kind = 'manylinux';
      else if (/^linux_/.test(p) && LINUX_ARCH.test(p)) kind = 'distro';
      if (kind && rank[kind] > rank[best]) best = kind;
    }
  }
  return best;
}

export interface NativeResult {
  native: NativeNeed[];
  build: string[];
  runtime: string[];
  decisions: Decision[];
  /** Modules that must import in the built image, one per native need that has a Python module. */
  importChecks: string[];
}

function keyWithExtras(d: Dependency): string[] {
  const name = normalizeName(d.name);
  const keys = [name];
  for (const x of d.extras ?? []) keys.push(`${name}[${normalizeName(x)}]`);
  // Some readers keep the extras in the specifier text ('[standard]>=0.20').
  const m = /^\s*\[([^\]]*)\]/.exec(d.specifier ?? '');
  if (m?.[1]) for (const x of m[1].split(',')) if (x.trim()) keys.push(`${name}[${normalizeName(x.trim())}]`);
  return keys;
}

/**
 * Distributions the dependencies are known to pull in, each with the dependency (or extra) that
 * implies it. Only a lock lists the transitive closure (with wheel names); without one, the table's
 * `implies` fills the gap so that what common dependencies bring along is not missed. Empty when
 * the dependencies come from a lock.
 */
export function impliedDistributions(runtimeDeps: Dependency[]): Map<string, string> {
  const d = data();
  const present = new Set(runtimeDeps.map((x) => normalizeName(x.name)));
  const implied = new Map<string, string>();
  if (runtimeDeps.some((x) => x.wheels !== undefined)) return implied;
  const queue = [...runtimeDeps];
  for (let dep = queue.shift(); dep; dep = queue.shift()) {
    for (const key of keyWithExtras(dep)) {
      const extra = [...(d.implies.get(key) ?? []), ...(d.byName.get(key)?.implies ?? [])];
      for (const name of extra) {
        if (present.has(name) || implied.has(name)) continue;
        implied.set(name, key);
        queue.push({ name });
      }
    }
  }
  return implied;
}

/**
 * Map dependencies to native needs for CPython `pythonVersion`.
 * `debian` renames packages for later Debian releases (default: the release of the default image
 * for this Python, see data/base-images.json); `groups` are the
 * dependency groups/extras installed besides the main ones.
 */
export function nativeNeeds(
  deps: Dependency[],
  pythonVersion: string,
  opts: { debian?: string; groups?: string[] } = {},
): NativeResult {
  // Without a release, the one chooseImages() picks by default for this Python.
  const debian = opts.debian ?? baseImagesData().python[pythonVersion]?.[0] ?? 'bookworm';
  const d = data();
  // Dev groups are never installed; groups named by the extras override are.
  const installed = new Set(['main', 'default', ...(opts.groups ?? [])]);
  const runtimeDeps = deps.filter((x) => !x.group || installed.has(x.group));
  const present = new Map<string, Dependency>();
  for (const dep of runtimeDeps) present.set(normalizeName(dep.name), dep);
  const implied = impliedDistributions(runtimeDeps);

  const native: NativeNeed[] = [];
  const decisions: Decision[] = [];
  const importChecks: string[] = [];
  // One entry per distribution: a name listed twice (two requirement files, a dependency and an
  // extra) keeps the listing that says most (a version, wheel names).
  const unique = new Map<string, Dependency>();
  for (const dep of runtimeDeps) {
    const name = normalizeName(dep.name);
    const had = unique.get(name);
    const info = (x: Dependency) => (x.wheels ? 2 : 0) + (x.version ? 1 : 0);
    if (!had || info(dep) > info(had)) unique.set(name, dep);
  }
  const consider: { dep: Dependency; via?: string }[] = [
    ...[...unique.values()].map((dep) => ({ dep })),
    ...[...implied].map(([name, via]) => ({ dep: { name } as Dependency, via })),
  ];
  for (const { dep, via } of consider) {
    const name = normalizeName(dep.name);
    const entry = d.byName.get(name);
    if (!entry) continue;
    const allNames = new Set([...present.keys(), ...implied.keys()]);
    const skipBecause = entry.unlessPresent?.find((n) => allNames.has(n));
    if (skipBecause) {
      decisions.push({
        topic: `native:${name}`,
        value: 'no system packages',
        reason: `${skipBecause} is installed too and brings its own copy of the library`,
        ...(dep.source ? { source: dep.source } : {}),
      });
      continue;
    }
    const kind: WheelKind = dep.buildsFromSource ? 'none' : classifyWheels(dep.wheels, pythonVersion);
    let builds: boolean;
    let why: string;
    switch (kind) {
      case 'none':
        builds = entry.build !== 'never';
        why = dep.buildsFromSource
          ? 'the lock records no wheel that fits, so it is built from source'
          : `no recorded wheel fits CPython ${pythonVersion} on Linux, so it is built from source`;
        if (entry.build === 'never') why = 'no fitting wheel is recorded, but it is never compiled';
        break;
      case 'manylinux':
        builds = false;
        why = 'the lock records a manylinux wheel, which vendors its libraries';
        break;
      case 'pure':
        builds = false;
        why = 'the lock records a pure-Python wheel';
        break;
      case 'distro':
        builds = false;
        why =
          'the recorded wheel is a plain linux_* build (not manylinux): it links the system libraries instead of vendoring them';
        break;
      default:
        builds = entry.build === 'always';
        why = builds
          ? 'it is published as an sdist only on Linux, so pip compiles it'
          : 'no lock records which wheel is used; its runtime libraries are included to be safe (they are small)';
        if (via) why = `pulled in by ${via} (no lock to confirm); ${why}`;
    }
    const runtimeLibs = entry.runtime.filter((lib) => {
      if (lib.need === 'always') return true;
      if (kind === 'manylinux' || kind === 'pure') return false;
      if (lib.need === 'distro-wheel') return kind === 'distro' || kind === 'unknown';
      return true;
    });
    // A source build that is not needed can still leave the distro-wheel libraries out.
    const effectiveRuntime =
      kind === 'unknown' && builds ? runtimeLibs.filter((l) => l.need !== 'distro-wheel') : runtimeLibs;
    const need: NativeNeed = {
      package: name,
      ...(dep.version ? { version: dep.version } : {}),
      build: builds ? entry.buildPackages.map((p) => debianPackageName(p, debian)) : [],
      runtime: effectiveRuntime.map((l) => debianPackageName(l.package, debian)),
      sonames: effectiveRuntime.flatMap((l) => l.sonames.map((s) => sonameFor(s, debian))),
      reason: `${why}; ${entry.note}`,
    };
    if (need.build.length === 0 && need.runtime.length === 0) {
      decisions.push({
        topic: `native:${name}`,
        value: 'no system packages',
        reason: need.reason,
        ...(dep.source ? { source: dep.source } : {}),
      });
      continue;
    }
    native.push(need);
    if (entry.import) importChecks.push(entry.import);
    const parts: string[] = [];
    if (need.build.length) parts.push(`build: ${need.build.join(' ')}`);
    if (need.runtime.length) parts.push(`runtime: ${need.runtime.join(' ')}`);
    decisions.push({
      topic: `native:${name}`,
      value: parts.join('; '),
      reason: need.reason,
      ...(dep.source ? { source: dep.source } : {}),
    });
  }
  const build = [...new Set(native.flatMap((n) => n.build))].sort();
  const runtime = [...new Set(native.flatMap((n) => n.runtime))].sort();
  return { native, build, runtime, decisions, importChecks: [...new Set(importChecks)] };
}
