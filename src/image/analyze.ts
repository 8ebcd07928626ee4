/**
 * `pycontain analyze`: where the bytes go in a Python image. Loads the image (one streaming pass per
 * layer), squashes it with exact waste accounting, and reports layers, waste by cause, Python
 * environments and distributions, native libraries that cannot load, the user, and findings.
 */

import path from 'node:path';
import { type ImageLabelKey, readImageLabels } from '../labels.js';
import { debianPackageForSoname } from '../project/native.js';
import { type ImageSource, type LoadedImage, type LoadOptions, loadImage } from './archive.js';
import { type ElfInfo, EM_NAMES } from './elf.js';
import { FINDINGS, type FindingId, findingOf, type Severity } from './findings.js';
import { buildLdContext, resolveNeeded, resolvePath } from './ldso.js';
import { type Distribution, type PyEnvironment, pythonInventory } from './python.js';
import {
  type FsNode,
  type Inode,
  lookup,
  Squasher,
  type SquashResult,
  WASTE_CAUSES,
  type WasteCause,
  type WasteRecord,
  walk,
} from './squash.js';

export const REPORT_SCHEMA_VERSION = 1 as const;

export type { Severity } from './findings.js';

export interface Finding {
  /** Stable id, usable with --fail-on: one of {@link FINDINGS}. */
  id: FindingId;
  severity: Severity;
  title: string;
  /** Bytes visible in the final image that the finding is about. */
  bytes: number;
  /** Bytes of it shipped in lower layers but hidden (waste). */
  wastedBytes: number;
  /** Up to 20 example paths (absolute). */
  paths: string[];
  /** Layers involved (indexes). */
  layers: number[];
  detail: string;
  fix: string;
}

export interface LayerReport {
  index: number;
  digest: string | null;
  diffId: string | null;
  /** The instruction, from the config history (BuildKit's '# buildkit' and '/bin/sh -c ' trimmed). */
  createdBy: string | null;
  /** Instructions without a layer of their own (ENV, CMD, ...) that come right before this layer. */
  emptyBefore: string[];
  /** Content bytes (file sizes and symlink lengths, hard links once): what docker history reports. */
  size: number;
  files: number;
  /** Uncompressed tar bytes. */
  tarSize: number;
  /** Bytes of the blob as stored (compressed when the archive holds compressed layers). */
  blobSize: number;
  compression: string;
  /** Bytes this layer added that a later layer hides. */
  wasteAdded: number;
  /** Bytes of lower layers (or its own earlier entries) that this layer hides. */
  wasteHidden: number;
}

export interface WasteGroup {
  /** The directory or file the group is about. */
  root: string;
  cause: WasteCause;
  bytes: number;
  files: number;
  addedBy: number;
  hiddenBy: number;
}

export interface MissingLibrary {
  soname: string;
  /** Objects that need it (absolute paths, up to 10). */
  neededBy: string[];
  distributions: string[];
  debianPackage: string | null;
  reason: 'missing' | 'loop' | 'incompatible';
  note?: string;
}

/** A distribution as reported: its file paths stay internal (they are for native-library attribution). */
export type DistributionReport = Omit<Distribution, 'paths'>;

export interface AnalysisReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  image: {
    name: string;
    format: string;
    tags: string[];
    configDigest: string | null;
    os: string | null;
    architecture: string | null;
    entrypoint: string[] | null;
    cmd: string[] | null;
    /** What the generating plan recorded in the io.pycontain.* labels; null for an image pycontain did not generate. */
    pycontain: Partial<Record<ImageLabelKey, string>> | null;
  };
  size: {
    /** Σ content bytes over all layers. */
    total: number;
    /** Content bytes visible in the final filesystem. */
    visible: number;
    /** total − visible, exactly. */
    waste: number;
    /** visible / total (1 when empty): comparable to dive's efficiency score, without its double counting. */
    efficiency: number;
    /** Σ stored blob bytes (compressed size for compressed layers). */
    blobs: number;
    /** Σ uncompressed tar bytes. */
    tar: number;
  };
  layers: LayerReport[];
  history: Array<{ createdBy: string; emptyLayer: boolean; layer: number | null }>;
  waste: {
    total: number;
    byCause: Record<WasteCause, number>;
    /** Biggest groups first, at most 50. */
    groups: WasteGroup[];
  };
  python: {
    environments: PyEnvironment[];
    /** Biggest first. */
    distributions: DistributionReport[];
  };
  native: {
    /** ELF objects under Python trees whose DT_NEEDED was checked. */
    checked: number;
    missing: MissingLibrary[];
  };
  user: {
    /** config.User as written ('' = not set: root). */
    configured: string;
    name: string | null;
    uid: number | null;
    root: boolean;
    numeric: boolean;
  };
  /** Largest directories of the final filesystem (for the chart), depth ≤ 4. */
  tree: TreeNode;
  findings: Finding[];
  warnings: string[];
}

export interface TreeNode {
  name: string;
  bytes: number;
  children?: TreeNode[];
}

export interface AnalyzeOptions extends LoadOptions {}

const MiB = 1024 * 1024;

export function cleanCreatedBy(s: string | undefined): string {
  if (!s) return '';
  let t = s.trim();
  t = t.replace(/\s*# buildkit$/, '');
  t = t.replace(/^\/bin\/sh -c #\(nop\)\s*/, '');
  t = t.replace(/^\/bin\/sh -c /, 'RUN ');
  t = t.replace(/^RUN \/bin\/sh -c /, 'RUN ');
  t = t.replace(/^\|\d+ (\S+=\S* )*\/bin\/sh -c /, 'RUN ');
  return t;
}

/** Analyze an image from any supported source. */
export async function analyzeImage(source: ImageSource, opts: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const img = await loadImage(source, opts);
  return analyzeLoaded(img);
}

export function analyzeLoaded(img: LoadedImage): AnalysisReport {
  const warnings = [...img.warnings];
  for (const l of img.layers)
    for (const w of l.scan.warnings) warnings.push(`layer ${img.layers.indexOf(l)}: ${w}`);
  const sq = new Squasher();
  img.layers.forEach((l, i) => {
    sq.apply(l.scan.entries, i);
  });
  // The squashed tree now holds what the findings need: let the entry lists go (bounded memory).
  for (const l of img.layers) l.scan.entries = [];
  const all = walk(sq.root);
  const squashed = sq.result(all);
  warnings.push(...squashed.warnings);
  const root = squashed.root;

  // History ↔ layers: the i-th non-empty history entry is layer i.
  const hist = img.config.history ?? [];
  const history: AnalysisReport['history'] = [];
  const createdBy: Array<string | null> = img.layers.map(() => null);
  const emptyBefore: string[][] = img.layers.map(() => []);
  let k = 0;
  let pendingEmpty: string[] = [];
  for (const h of hist) {
    const text = cleanCreatedBy(h.created_by) || h.comment || '';
    if (h.empty_layer) {
      history.push({ createdBy: text, emptyLayer: true, layer: null });
      pendingEmpty.push(text);
      continue;
    }
    const idx = k < img.layers.length ? k : null;
    history.push({ createdBy: text, emptyLayer: false, layer: idx });
    if (idx !== null) {
      createdBy[idx] = text;
      emptyBefore[idx] = pendingEmpty;
    }
    pendingEmpty = [];
    k++;
  }
  if (hist.length && k !== img.layers.length) {
    warnings.push(
      `history has ${k} non-empty entries for ${img.layers.length} layers: instructions may not line up`,
    );
  }

  const wasteAdded = img.layers.map(() => 0);
  const wasteHidden = img.layers.map(() => 0);
  const byCause = Object.fromEntries(WASTE_CAUSES.map((c) => [c, 0])) as Record<WasteCause, number>;
  for (const w of squashed.waste) {
    wasteAdded[w.addedBy]! += w.size;
    wasteHidden[w.hiddenBy]! += w.size;
    byCause[w.cause] += w.size;
  }
  const layers: LayerReport[] = img.layers.map((l, i) => ({
    index: i,
    digest: l.digest,
    diffId: l.diffId,
    createdBy: createdBy[i] ?? null,
    emptyBefore: emptyBefore[i]!,
    size: l.scan.size,
    files: l.scan.files,
    tarSize: l.scan.tarSize,
    blobSize: l.scan.blobSize,
    compression: l.scan.compression,
    wasteAdded: wasteAdded[i]!,
    wasteHidden: wasteHidden[i]!,
  }));

  const groups = wasteGroups(squashed.waste);
  const inv = pythonInventory(root, all);
  const env = img.config.config?.Env ?? [];
  const findings: Finding[] = [];
  const native = nativeCheck(root, env, inv.distributions, img.config.architecture ?? null, findings, all);
  const user = userInfo(root, img.config.config?.User ?? '', findings);
  pythonFindings(root, squashed, inv, findings, createdBy, all);
  wasteFindings(groups, createdBy, findings);
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  findings.sort(
    (a, b) => order[a.severity] - order[b.severity] || b.bytes + b.wastedBytes - (a.bytes + a.wastedBytes),
  );

  const total = squashed.totalBytes;
  const visible = squashed.visibleBytes;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    image: {
      name: img.name,
      format: img.format,
      tags: img.tags,
      configDigest: img.configDigest,
      os: img.config.os ?? null,
      architecture: img.config.architecture ?? null,
      entrypoint: img.config.config?.Entrypoint ?? null,
      cmd: img.config.config?.Cmd ?? null,
      pycontain: readImageLabels(img.config.config?.Labels),
    },
    size: {
      total,
      visible,
      waste: total - visible,
      efficiency: total === 0 ? 1 : visible / total,
      blobs: img.layers.reduce((a, l) => a + l.scan.blobSize, 0),
      tar: img.layers.reduce((a, l) => a + l.scan.tarSize, 0),
    },
    layers,
    history,
    waste: { total: total - visible, byCause, groups: groups.slice(0, 50) },
    python: {
      environments: inv.environments,
      distributions: inv.distributions.map(({ paths: _p, ...d }) => d),
    },
    native,
    user,
    tree: sizeTree(root, 4),
    findings,
    warnings,
  };
}

function commonDir(paths: string[]): string {
  if (paths.length === 0) return '';
  let parts = paths[0]!.split('/');
  if (paths.length === 1) return parts.slice(0, -1).join('/') || paths[0]!;
  for (const p of paths) {
    const q = p.split('/');
    let i = 0;
    while (i < parts.length && i < q.length && parts[i] === q[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join('/');
}

export function wasteGroups(waste: WasteRecord[]): WasteGroup[] {
  const map = new Map<
    string,
    { recs: WasteRecord[]; cause: WasteCause; addedBy: number; hiddenBy: number; root?: string }
  >();
  for (const w of waste) {
    // Whole-directory removals group under the removed directory; per-file rewrites under their top directory.
    const perFile = w.cause === 'overwritten' || w.cause === 'attributes';
    const key = perFile
      ? `${w.cause}|${w.addedBy}|${w.hiddenBy}|${w.path.split('/')[0]}`
      : `${w.cause}|${w.addedBy}|${w.hiddenBy}|${w.root}`;
    let g = map.get(key);
    if (!g) {
      g = { recs: [], cause: w.cause, addedBy: w.addedBy, hiddenBy: w.hiddenBy };
      if (!perFile) g.root = w.root;
      map.set(key, g);
    }
    g.recs.push(w);
  }
  const out: WasteGroup[] = [];
  for (const g of map.values()) {
    const root = g.root ?? commonDir(g.recs.map((r) => r.path));
    out.push({
      root: `/${root}`,
      cause: g.cause,
      bytes: g.recs.reduce((a, r) => a + r.size, 0),
      files: g.recs.length,
      addedBy: g.addedBy,
      hiddenBy: g.hiddenBy,
    });
  }
  out.sort((a, b) => b.bytes - a.bytes || a.root.localeCompare(b.root));
  return out;
}

function fileBytes(n: FsNode, seen?: Set<Inode>): number {
  if (n.inode) {
    if (seen) {
      if (seen.has(n.inode)) return 0;
      seen.add(n.inode);
    }
    return n.inode.size;
  }
  return n.linkSize;
}

function treeBytes(n: FsNode, seen?: Set<Inode>): number {
  if (!n.children) return fileBytes(n, seen);
  let s = 0;
  for (const [, c] of walk(n)) if (!c.children) s += fileBytes(c, seen);
  return s;
}

function sizeTree(root: FsNode, depth: number): TreeNode {
  const seen = new Set<Inode>();
  const build = (n: FsNode, d: number): TreeNode => {
    if (!n.children) return { name: n.name, bytes: fileBytes(n, seen) };
    const kids = [...n.children.values()].map((c) => build(c, d + 1));
    const bytes = kids.reduce((a, c) => a + c.bytes, 0);
    const node: TreeNode = { name: n.name || '/', bytes };
    if (d < depth) {
      kids.sort((a, b) => b.bytes - a.bytes);
      // Keep the chart readable: the 12 biggest children, the rest folded into one.
      const keep = kids.filter((c) => c.bytes > 0).slice(0, 12);
      const rest = kids.slice(keep.length).reduce((a, c) => a + c.bytes, 0);
      if (rest > 0) keep.push({ name: '(other)', bytes: rest });
      if (keep.length)
        node.children = keep.map((c) => (d + 1 >= depth ? { name: c.name, bytes: c.bytes } : c));
    }
    return node;
  };
  return build(root, 0);
}

const ARCH_MACHINE: Record<string, number> = {
  amd64: 62,
  arm64: 183,
  '386': 3,
  arm: 40,
  ppc64le: 21,
  s390x: 22,
  riscv64: 243,
};
const PY_TREE =
  /(?:^|\/)(?:site-packages|dist-packages|lib-dynload|\.?venv)(?:\/|$)|(?:^|\/)lib\/python\d|(?:^|\/)bin\/python[\d.]*$/;

function nativeCheck(
  root: FsNode,
  env: string[],
  dists: Distribution[],
  architecture: string | null,
  findings: Finding[],
  all: Array<[string, FsNode]>,
): AnalysisReport['native'] {
  const ctx = buildLdContext(root, env);
  // Answer with the package names of the image's own Debian release (t64 renames and bumps).
  const osRelease =
    (lookup(root, 'etc/os-release')?.content ?? lookup(root, 'usr/lib/os-release')?.content)?.toString(
      'utf8',
    ) ?? '';
  const debian = /^VERSION_CODENAME=("?)([a-z]+)\1$/m.exec(osRelease)?.[2] ?? 'bookworm';
  const debianPackageFor = (soname: string): string | null => debianPackageForSoname(soname, debian);
  const owner = new Map<string, string>();
  for (const d of dists) for (const p of d.paths ?? []) owner.set(p, `${d.name} ${d.version}`.trim());
  const wantMachine = architecture ? ARCH_MACHINE[architecture] : undefined;
  const missing = new Map<string, MissingLibrary>();
  const foreign: string[] = [];
  let checked = 0;
  const cache = new Map<string, ReturnType<typeof resolveNeeded>>();
  // Indexed loops: this code runs once per image, un-optimized, and for-of destructuring allocates per element.
  for (let i = 0; i < all.length; i++) {
    const p = all[i]![0];
    const n = all[i]![1];
    if (n.children || !n.elf || !PY_TREE.test(p)) continue;
    const elf: ElfInfo = n.elf;
    const abs = `/${p}`;
    if (
      elf.format !== 'elf' ||
      (wantMachine !== undefined && elf.machine !== undefined && elf.machine !== wantMachine)
    ) {
      if (/\.(so|dylib|pyd)$|\.so\./.test(p) || (n.mode & 0o111) !== 0) foreign.push(abs);
      continue;
    }
    if (!elf.needed.length) continue;
    checked++;
    const origin = path.posix.dirname(abs);
    for (const name of elf.needed) {
      const key = `${name}|${elf.rpath.length ? origin : ''}|${elf.runpath.length ? origin : ''}|${elf.rpath.join(':')}|${elf.runpath.join(':')}|${elf.bits}|${elf.machine}`;
      let r = cache.get(key);
      if (!r) {
        r = resolveNeeded(name, abs, elf, ctx);
        cache.set(key, r);
      }
      if (r.found) continue;
      let m = missing.get(name);
      if (!m) {
        m = {
          soname: name,
          neededBy: [],
          distributions: [],
          debianPackage: debianPackageFor(name),
          reason: r.reason,
        };
        if (r.note) m.note = r.note;
        missing.set(name, m);
      }
      if (m.neededBy.length < 10) m.neededBy.push(abs);
      const d = owner.get(abs);
      if (d && !m.distributions.includes(d)) m.distributions.push(d);
    }
  }
  const list = [...missing.values()].sort((a, b) => a.soname.localeCompare(b.soname));
  if (list.length) {
    const pkgs = [...new Set(list.map((m) => m.debianPackage).filter((p): p is string => Boolean(p)))];
    findings.push({
      ...findingOf('missing-shared-library'),
      title: `${list.length} shared librar${list.length === 1 ? 'y' : 'ies'} needed by Python extensions cannot be found`,
      bytes: 0,
      wastedBytes: 0,
      paths: list.flatMap((m) => m.neededBy).slice(0, 20),
      layers: [],
      detail: list
        .map(
          (m) =>
            `${m.soname}${m.debianPackage ? ` (Debian: ${m.debianPackage})` : ''} needed by ${m.distributions.join(', ') || m.neededBy[0]}${m.note ? `; ${m.note}` : ''}`,
        )
        .join('; '),
      fix: pkgs.length
        ? `install the runtime libraries in the final stage: apt-get install --no-install-recommends ${pkgs.join(' ')}`
        : 'install the libraries that provide these sonames in the final stage',
    });
  }
  if (foreign.length) {
    findings.push({
      ...findingOf('foreign-binary'),
      title: `${foreign.length} binar${foreign.length === 1 ? 'y' : 'ies'} under Python trees cannot load on ${architecture ?? 'this platform'}`,
      bytes: foreign.reduce((a, p) => a + fileBytes(lookup(root, p.slice(1))!), 0),
      wastedBytes: 0,
      paths: foreign.slice(0, 20),
      layers: [],
      detail: `Mach-O, PE, or ELF for another machine (${foreign
        .slice(0, 3)
        .map((p) => {
          const e = lookup(root, p.slice(1))?.elf;
          return e?.format === 'elf' ? (EM_NAMES[e.machine ?? 0] ?? `machine ${e.machine}`) : e?.format;
        })
        .join(', ')}): usually a virtualenv copied from the host`,
      fix: 'build the environment inside the image (a builder stage), and keep .venv out of the build context with .dockerignore',
    });
  }
  return { checked, missing: list };
}

function parsePasswd(text: string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0]) m.set(f[0], Number(f[2]));
  }
  return m;
}

function userInfo(root: FsNode, configured: string, findings: Finding[]): AnalysisReport['user'] {
  const spec = configured.trim();
  const userPart = spec.split(':')[0] ?? '';
  const numeric = /^\d+$/.test(userPart);
  let uid: number | null = null;
  let name: string | null = null;
  if (spec === '') {
    uid = 0;
    name = 'root';
  } else if (numeric) {
    uid = Number(userPart);
  } else {
    name = userPart;
    const pw = parsePasswd(lookup(root, 'etc/passwd')?.content?.toString('utf8'));
    uid = pw.get(userPart) ?? null;
    if (uid === null) {
      findings.push({
        ...findingOf('unknown-user'),
        title: `USER ${userPart} is not in the image's /etc/passwd`,
        bytes: 0,
        wastedBytes: 0,
        paths: ['/etc/passwd'],
        layers: [],
        detail: 'the container fails to start: "unable to find user"',
        fix: 'create the user in the image (useradd) or use a numeric USER uid:gid',
      });
    }
  }
  const isRoot = uid === 0;
  if (isRoot) {
    findings.push({
      ...findingOf('root-user'),
      title: spec === '' ? 'the image runs as root (no USER set)' : `the image runs as root (USER ${spec})`,
      bytes: 0,
      wastedBytes: 0,
      paths: [],
      layers: [],
      detail: 'a process escaping the application has root inside the container',
      fix: 'add a system user and end the Dockerfile with a numeric USER, e.g. USER 10001:10001',
    });
  }
  if (spec !== '' && !numeric) {
    findings.push({
      ...findingOf('non-numeric-user'),
      title: `USER ${spec} is a name, not a number`,
      bytes: 0,
      wastedBytes: 0,
      paths: [],
      layers: [],
      detail:
        'Kubernetes runAsNonRoot rejects it: "image has non-numeric user, cannot verify user is non-root"',
      fix: `use the numeric uid${uid !== null && uid !== 0 ? `: USER ${uid}` : ''}`,
    });
  }
  return { configured: spec, name, uid, root: isRoot, numeric: spec === '' || numeric };
}

interface PatternHit {
  bytes: number;
  wasted: number;
  paths: Set<string>;
  layers: Set<number>;
}

const CACHES: Array<{ id: FindingId; tool: string; re: RegExp; fix: string }> = [
  {
    id: 'pip-cache',
    tool: 'pip',
    re: /^(.*\/\.cache\/pip|tmp\/pip-[^/]+)(\/|$)/,
    fix: 'use RUN --mount=type=cache,target=/root/.cache/pip (or pip install --no-cache-dir); deleting the cache in a later RUN does not shrink the image',
  },
  {
    id: 'uv-cache',
    tool: 'uv',
    re: /^(.*\/\.cache\/uv)(\/|$)/,
    fix: 'use RUN --mount=type=cache,target=/root/.cache/uv (or UV_NO_CACHE=1) in the same RUN as uv sync',
  },
  {
    id: 'poetry-cache',
    tool: 'poetry',
    re: /^(.*\/\.cache\/pypoetry)(\/|$)/,
    fix: 'use RUN --mount=type=cache,target=/root/.cache/pypoetry, or POETRY_CACHE_DIR in a cache mount',
  },
  {
    id: 'pipenv-cache',
    tool: 'pipenv',
    re: /^(.*\/\.cache\/pipenv)(\/|$)/,
    fix: 'use a cache mount for ~/.cache/pipenv, or PIPENV_CACHE_DIR in a cache mount',
  },
];

function pythonFindings(
  root: FsNode,
  sq: SquashResult,
  inv: ReturnType<typeof pythonInventory>,
  findings: Finding[],
  createdBy: Array<string | null>,
  all: Array<[string, FsNode]>,
): void {
  const hits = new Map<string, PatternHit>();
  const hit = (id: string): PatternHit => {
    let h = hits.get(id);
    if (!h) {
      h = { bytes: 0, wasted: 0, paths: new Set(), layers: new Set() };
      hits.set(id, h);
    }
    return h;
  };
  const seen = new Set<Inode>();
  const pycacheDirs: string[] = [];
  const gitDirs: string[] = [];
  const testDirs: string[] = [];
  // Indexed loops: this code runs once per image, un-optimized, and for-of destructuring allocates per element.
  for (let i = 0; i < all.length; i++) {
    const p = all[i]![0];
    const n = all[i]![1];
    if (n.children) {
      if (n.name === '__pycache__') pycacheDirs.push(p);
      else if (n.name === '.git') gitDirs.push(p);
      else if (isTestDir(p, n.name)) testDirs.push(p);
      continue;
    }
    if (!p.includes('.cache/') && !p.startsWith('tmp/pip-')) continue;
    for (const c of CACHES) {
      const m = c.re.exec(p);
      if (m) {
        const h = hit(c.id);
        h.bytes += fileBytes(n, seen);
        h.paths.add(`/${m[1]}`);
        h.layers.add(n.layer);
      }
    }
  }
  for (const w of sq.waste) {
    if (!w.path.includes('.cache/') && !w.path.startsWith('tmp/pip-')) continue;
    for (const c of CACHES) {
      const m = c.re.exec(w.path);
      if (m) {
        const h = hit(c.id);
        h.wasted += w.size;
        h.paths.add(`/${m[1]}`);
        h.layers.add(w.addedBy);
      }
    }
  }
  for (const c of CACHES) {
    const h = hits.get(c.id);
    if (!h) continue;
    const layers = [...h.layers].sort((a, b) => a - b);
    findings.push({
      ...findingOf(c.id),
      title: `${c.tool} cache in the image: ${fmt(h.bytes)} visible, ${fmt(h.wasted)} in lower layers`,
      bytes: h.bytes,
      wastedBytes: h.wasted,
      paths: [...h.paths].slice(0, 20),
      layers,
      detail: `added by ${layers.map((l) => `layer ${l}${createdBy[l] ? ` (${short(createdBy[l]!)})` : ''}`).join(', ')}`,
      fix: c.fix,
    });
  }
  const sumDirs = (dirs: string[]): number => {
    const s = new Set<Inode>();
    return dirs.reduce((a, d) => a + treeBytes(lookup(root, d)!, s), 0);
  };
  if (pycacheDirs.length) {
    findings.push({
      ...findingOf('pycache'),
      title: `${pycacheDirs.length} __pycache__ directories, ${fmt(sumDirs(pycacheDirs))}`,
      bytes: sumDirs(pycacheDirs),
      wastedBytes: 0,
      paths: pycacheDirs.slice(0, 20).map((d) => `/${d}`),
      layers: [],
      detail: 'bytecode speeds up start-up; it is a trade-off, not a defect',
      fix: 'keep it for faster start-up (compile in the build), or set PYTHONDONTWRITEBYTECODE=1 and skip compilation for a smaller image',
    });
  }
  if (testDirs.length) {
    const bytes = sumDirs(testDirs);
    findings.push({
      ...findingOf('tests-in-site-packages'),
      title: `${testDirs.length} test directories inside site-packages, ${fmt(bytes)}`,
      bytes,
      wastedBytes: 0,
      paths: testDirs.slice(0, 20).map((d) => `/${d}`),
      layers: [],
      detail: 'some are public API (numpy.testing); most are not needed at run time',
      fix: 'remove them in the same RUN as the install if the size matters, and test the image afterwards',
    });
  }
  if (gitDirs.length) {
    const bytes = sumDirs(gitDirs);
    findings.push({
      ...findingOf('git-directory'),
      title: `.git in the image (${gitDirs.length}), ${fmt(bytes)}`,
      bytes,
      wastedBytes: 0,
      paths: gitDirs.map((d) => `/${d}`).slice(0, 20),
      layers: [],
      detail: 'repository history ships with the image and may hold secrets',
      fix: 'add .git to .dockerignore',
    });
  }

  // Build toolchain in the final image.
  const tool: string[] = [];
  let toolBytes = 0;
  const tSeen = new Set<Inode>();
  for (const d of ['usr/bin', 'usr/local/bin']) {
    const dir = lookup(root, d);
    for (const [name, n] of dir?.children ?? []) {
      if (
        /^(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|gfortran|make|x86_64-linux-gnu-gcc|aarch64-linux-gnu-gcc)(-\d+)?$/.test(
          name,
        )
      ) {
        tool.push(`/${d}/${name}`);
        toolBytes += fileBytes(n, tSeen);
      }
    }
  }
  const gccLib = lookup(root, 'usr/lib/gcc');
  for (const [p, n] of gccLib ? walk(gccLib, 'usr/lib/gcc') : []) {
    if (!n.children && (n.name === 'cc1' || n.name === 'cc1plus' || n.name === 'f951')) {
      tool.push(`/${p}`);
      toolBytes += fileBytes(n, tSeen);
    }
  }
  const headers: string[] = [];
  for (const d of ['usr/include', 'usr/local/include']) {
    const dir = lookup(root, d);
    for (const [name] of dir?.children ?? []) if (/^python3\.\d+/.test(name)) headers.push(`/${d}/${name}`);
  }
  const headerBytes = headers.reduce((a, h) => a + treeBytes(lookup(root, h.slice(1))!, tSeen), 0);
  const devPkgs = dpkgDevPackages(root);
  if (tool.length || headers.length || devPkgs.length) {
    const devKiB = devPkgs.reduce((a, p) => a + p.kib, 0);
    findings.push({
      ...findingOf('build-toolchain'),
      title: `compilers or -dev headers in the final image${devPkgs.length ? ` (${devPkgs.length} -dev packages, ${fmt(devKiB * 1024)} installed)` : ''}`,
      bytes: toolBytes + headerBytes,
      wastedBytes: 0,
      paths: [...tool, ...headers].slice(0, 20),
      layers: [],
      detail: [
        tool.length ? `compilers: ${tool.slice(0, 6).join(', ')}` : '',
        headers.length ? `Python headers: ${headers.join(', ')}` : '',
        devPkgs.length
          ? `-dev packages: ${devPkgs
              .slice(0, 12)
              .map((p) => p.name)
              .join(', ')}${devPkgs.length > 12 ? ', ...' : ''}`
          : '',
      ]
        .filter(Boolean)
        .join('; '),
      fix: 'build wheels in a builder stage with the compilers and headers, and copy only the virtualenv into a slim final stage with the runtime libraries',
    });
  }

  // pip / setuptools / wheel inside a virtualenv: scanner noise (vendored SBOMs) and an install tool at run time.
  // One that another distribution of the same environment requires (gunicorn 20 needs setuptools for
  // pkg_resources) is a dependency, not a leftover: it is named in the detail, not flagged.
  const requiredBy = (t: Distribution) =>
    inv.distributions.filter(
      (d) => d !== t && d.sitePackages === t.sitePackages && d.requires?.includes(t.key),
    );
  const venvTools = inv.distributions
    .filter((d) => d.venv && ['pip', 'setuptools', 'wheel'].includes(d.key))
    .map((t) => ({ t, by: requiredBy(t) }));
  const tools = venvTools.filter((k) => k.by.length === 0).map((k) => k.t);
  const kept = venvTools
    .filter((k) => k.by.length > 0)
    .map((k) => `${k.t.name} kept: required by ${k.by.map((d) => `${d.name} ${d.version}`).join(', ')}`);
  if (tools.length) {
    findings.push({
      ...findingOf('pip-in-runtime-venv'),
      title: `${[...new Set(tools.map((t) => t.key))].join(', ')} inside the runtime virtualenv${tools.length > 1 ? 's' : ''}`,
      bytes: tools.reduce((a, t) => a + t.bytes, 0),
      wastedBytes: 0,
      paths: tools.map((t) => `${t.sitePackages}/${t.key}`).slice(0, 20),
      layers: [...new Set(tools.map((t) => t.layer))],
      detail: [...tools.map((t) => `${t.name} ${t.version} in ${t.venv}`), ...kept].join('; '),
      fix: 'create the venv with --without-pip (python -m venv --without-pip, uv venv), or uninstall them in the builder before copying the venv',
    });
  }

  // Several virtualenvs, and the same distribution at different versions.
  const venvRoots = [...inv.venvs.keys()].sort();
  if (venvRoots.length > 1) {
    const bytes = venvRoots.reduce((a, v) => a + treeBytes(lookup(root, v.slice(1))!, new Set()), 0);
    findings.push({
      ...findingOf('duplicate-venv'),
      title: `${venvRoots.length} virtualenvs in one image`,
      bytes,
      wastedBytes: 0,
      paths: venvRoots.slice(0, 20),
      layers: [],
      detail: `virtualenvs at ${venvRoots.join(', ')}`,
      fix: 'keep one environment: copy only the builder venv into the final stage',
    });
  }
  const byKey = new Map<string, Distribution[]>();
  for (const d of inv.distributions) byKey.set(d.key, [...(byKey.get(d.key) ?? []), d]);
  const dupes = [...byKey.values()].filter((ds) => new Set(ds.map((d) => d.version)).size > 1);
  if (dupes.length) {
    findings.push({
      ...findingOf('duplicate-distribution'),
      title: `${dupes.length} distribution${dupes.length === 1 ? '' : 's'} installed at different versions in several environments`,
      bytes: dupes.flat().reduce((a, d) => a + d.bytes, 0),
      wastedBytes: 0,
      paths: dupes
        .flat()
        .map((d) => d.sitePackages)
        .slice(0, 20),
      layers: [],
      detail: dupes
        .map((ds) => `${ds[0]!.name}: ${ds.map((d) => `${d.version} in ${d.sitePackages}`).join(', ')}`)
        .join('; '),
      fix: 'install each dependency once, in the environment the application runs from',
    });
  }

  // A .venv copied from the host: its interpreter does not exist in the image, or it holds foreign binaries.
  const hostVenvs: string[] = [];
  for (const [v, cfg] of inv.venvs) {
    const home = cfg.home;
    const bad = home ? resolvePath(root, home) === null : false;
    const macho = (() => {
      const n = lookup(root, v.slice(1));
      if (!n) return false;
      for (const [, c] of walk(n)) if (c.elf && c.elf.format !== 'elf') return true;
      return false;
    })();
    if (bad || macho || /(^|\/)\.venv$/.test(v)) {
      if (bad || macho)
        hostVenvs.push(
          `${v}${bad ? ` (home ${home} not in the image)` : ''}${macho ? ' (non-Linux binaries)' : ''}`,
        );
    }
  }
  if (hostVenvs.length) {
    findings.push({
      ...findingOf('host-venv'),
      title: 'a virtualenv copied from the host',
      bytes: hostVenvs.reduce(
        (a, v) => a + treeBytes(lookup(root, v.split(' ')[0]!.slice(1))!, new Set()),
        0,
      ),
      wastedBytes: 0,
      paths: hostVenvs.map((v) => v.split(' ')[0]!),
      layers: [],
      detail: hostVenvs.join('; '),
      fix: 'add .venv to .dockerignore and build the environment inside the image',
    });
  }
}

/** tests/test directories inside site-packages, not nested in another one. */
function isTestDir(p: string, name: string): boolean {
  if (name !== 'tests' && name !== 'test') return false;
  const m = /(?:site|dist)-packages\/(.+)$/.exec(p);
  if (!m) return false;
  const segs = m[1]!.split('/');
  return !segs.slice(0, -1).some((s) => s === 'tests' || s === 'test');
}

function dpkgDevPackages(root: FsNode): Array<{ name: string; kib: number }> {
  const out: Array<{ name: string; kib: number }> = [];
  const texts: string[] = [];
  const status = lookup(root, 'var/lib/dpkg/status')?.content;
  if (status) texts.push(status.toString('utf8'));
  const d = lookup(root, 'var/lib/dpkg/status.d');
  for (const [, n] of d?.children ?? []) if (n.content) texts.push(n.content.toString('utf8'));
  for (const text of texts) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const name = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
      if (!name || !/-dev$/.test(name)) continue;
      const st = /^Status:\s*(.+)$/m.exec(stanza)?.[1];
      if (st && !/installed$/.test(st.trim())) continue;
      if (st && /not-installed|config-files/.test(st)) continue;
      out.push({ name, kib: Number(/^Installed-Size:\s*(\d+)/m.exec(stanza)?.[1] ?? 0) });
    }
  }
  return out.sort((a, b) => b.kib - a.kib);
}

function wasteFindings(groups: WasteGroup[], createdBy: Array<string | null>, findings: Finding[]): void {
  const spec: Record<WasteCause, { id: FindingId; title: string; fix: string }> = {
    deleted: {
      id: 'deleted-in-later-layer',
      title: 'files deleted in a later layer still ship in the lower one',
      fix: 'delete in the same RUN that creates the files (or use a cache mount / a builder stage)',
    },
    attributes: {
      id: 'attribute-only-copy',
      title: 'files copied again only to change owner or mode (chown/chmod)',
      fix: 'set ownership and mode when the files are added: COPY --chown=uid:gid --chmod=..., not a later RUN chown -R',
    },
    opaque: {
      id: 'opaque-hidden',
      title: 'a directory replaced as a whole hides the lower copy',
      fix: 'create the directory in its final form in one layer',
    },
    overwritten: {
      id: 'overwritten-in-later-layer',
      title: 'files overwritten by a later layer',
      fix: 'write files once: order the Dockerfile so that each path is produced in one layer',
    },
  };
  for (const cause of WASTE_CAUSES) {
    const gs = groups.filter((g) => g.cause === cause && g.bytes >= MiB);
    if (!gs.length) continue;
    const s = spec[cause];
    const bytes = gs.reduce((a, g) => a + g.bytes, 0);
    findings.push({
      ...findingOf(s.id),
      title: `${s.title}: ${fmt(bytes)}`,
      bytes: 0,
      wastedBytes: bytes,
      paths: gs.map((g) => g.root).slice(0, 20),
      layers: [...new Set(gs.flatMap((g) => [g.addedBy, g.hiddenBy]))].sort((a, b) => a - b),
      detail: gs
        .slice(0, 5)
        .map(
          (g) =>
            `${g.root} ${fmt(g.bytes)} added by layer ${g.addedBy}${createdBy[g.addedBy] ? ` (${short(createdBy[g.addedBy]!)})` : ''}, hidden by layer ${g.hiddenBy}${createdBy[g.hiddenBy] ? ` (${short(createdBy[g.hiddenBy]!)})` : ''}`,
        )
        .join('; '),
      fix: s.fix,
    });
  }
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

export function fmt(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(Math.abs(v) < 10 ? 2 : 1)} ${units[i]}`;
}
