/**
 * Python on-disk metadata in the final filesystem: environments (site-packages, venvs via
 * pyvenv.cfg) and installed distributions sized from dist-info RECORD (PEP 376/627), falling back to
 * egg-info installed-files.txt, then top_level.txt.
 */
import path from 'node:path';
import { type FsNode, type Inode, lookup, walk } from './squash.js';

export interface PyEnvironment {
  /** The site-packages (or dist-packages) directory, absolute. */
  sitePackages: string;
  /** Root of the virtualenv holding it (directory of pyvenv.cfg), or null for a system interpreter. */
  venv: string | null;
  /** `home` from pyvenv.cfg: where the base interpreter lives. */
  home?: string;
  version?: string;
  distributions: number;
  bytes: number;
}

export interface Distribution {
  name: string;
  version: string;
  /** PEP 503 normalized name. */
  key: string;
  sitePackages: string;
  venv: string | null;
  bytes: number;
  files: number;
  /** Layer that introduced it (first layer of the metadata directory's uninterrupted presence). */
  layer: number;
  installer?: string;
  /** Normalized names from Requires-Dist, without those only an extra asks for. */
  requires?: string[];
  /** 'RECORD', 'installed-files.txt', 'top_level.txt' or 'metadata only'. */
  sizedFrom: string;
  /** Absolute paths of its files (kept for native-library attribution; not in JSON output). */
  paths?: Set<string>;
}

export const normalizeName = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');

function parseCsvFirstColumn(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    if (line.startsWith('"')) {
      let i = 1;
      let s = '';
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            s += '"';
            i += 2;
            continue;
          }
          break;
        }
        s += line[i];
        i++;
      }
      out.push(s);
    } else {
      const comma = line.indexOf(',');
      out.push(comma < 0 ? line : line.slice(0, comma));
    }
  }
  return out;
}

function parseMetaDirName(base: string): { name: string; version: string } {
  const stem = base.replace(/\.(dist-info|egg-info)$/i, '');
  const dash = stem.indexOf('-');
  if (dash < 0) return { name: stem, version: '' };
  const name = stem.slice(0, dash);
  let version = stem.slice(dash + 1);
  version = version.replace(/-py\d+(\.\d+)*(-.*)?$/, '');
  return { name, version };
}

function headerField(text: string | undefined, field: string): string | undefined {
  if (!text) return undefined;
  const m = new RegExp(`^${field}:\\s*(.+)$`, 'mi').exec(text);
  return m?.[1]?.trim();
}

/**
 * Names this distribution always needs: Requires-Dist lines of the METADATA header (it ends at the
 * first blank line), minus extras. Other markers (python_version, sys_platform) count as needed: a
 * tool kept because of one is a smaller mistake than flagging a dependency the app imports.
 */
export function requiredNames(text: string | undefined): string[] {
  if (!text) return [];
  const end = text.search(/\r?\n\r?\n/);
  const header = end >= 0 ? text.slice(0, end) : text;
  const out = new Set<string>();
  for (const m of header.matchAll(/^Requires-Dist:\s*([A-Za-z0-9][A-Za-z0-9._-]*)([^\r\n]*)$/gim)) {
    const marker = m[2]!.split(';')[1] ?? '';
    if (/\bextra\s*==/.test(marker)) continue;
    out.add(normalizeName(m[1]!));
  }
  return [...out];
}

function parseCfg(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!.toLowerCase()] = m[2]!;
  }
  return out;
}

interface FileRef {
  node: FsNode;
  abs: string;
}

function sizeOf(n: FsNode, seen: Set<Inode>): number {
  if (n.inode) {
    if (seen.has(n.inode)) return 0;
    seen.add(n.inode);
    return n.inode.size;
  }
  return n.linkSize;
}

function* subtreeFiles(n: FsNode, abs: string): Generator<FileRef> {
  if (!n.children) {
    yield { node: n, abs };
    return;
  }
  for (const [p, c] of walk(n, abs.replace(/^\//, ''))) if (!c.children) yield { node: c, abs: `/${p}` };
}

export interface PythonInventory {
  environments: PyEnvironment[];
  distributions: Distribution[];
  /** Venv roots (absolute) → parsed pyvenv.cfg. */
  venvs: Map<string, Record<string, string>>;
}

export function pythonInventory(root: FsNode, all?: Array<[string, FsNode]>): PythonInventory {
  const siteDirs: string[] = [];
  const venvs = new Map<string, Record<string, string>>();
  const list = all ?? walk(root);
  for (let i = 0; i < list.length; i++) {
    const p = list[i]![0];
    const n = list[i]![1];
    if (n.children && (n.name === 'site-packages' || n.name === 'dist-packages')) siteDirs.push(`/${p}`);
    if (!n.children && n.name === 'pyvenv.cfg') {
      venvs.set(`/${path.posix.dirname(p)}`, parseCfg(n.content?.toString('utf8') ?? ''));
    }
  }
  const environments: PyEnvironment[] = [];
  const distributions: Distribution[] = [];
  for (const sp of siteDirs) {
    const spNode = lookup(root, sp.slice(1))!;
    // lib/pythonX.Y/site-packages → the venv is three levels up.
    const venvRoot = path.posix.dirname(path.posix.dirname(path.posix.dirname(sp)));
    const cfg = venvs.get(venvRoot);
    const env: PyEnvironment = {
      sitePackages: sp,
      venv: cfg ? venvRoot : null,
      distributions: 0,
      bytes: 0,
    };
    if (cfg?.home) env.home = cfg.home;
    const v = cfg?.version ?? cfg?.version_info ?? /python(\d+\.\d+)/.exec(sp)?.[1];
    if (v) env.version = v;
    const envSeen = new Set<Inode>();
    for (const [, n] of walk(spNode, sp.slice(1))) if (!n.children) env.bytes += sizeOf(n, envSeen);
    for (const child of spNode.children!.values()) {
      const isDist = /\.dist-info$/i.test(child.name) && child.children;
      const isEgg = /\.egg-info$/i.test(child.name);
      if (!isDist && !isEgg) continue;
      const { name: dirName, version: dirVersion } = parseMetaDirName(child.name);
      const metaText = (
        child.children?.get('METADATA') ?? child.children?.get('PKG-INFO')
      )?.content?.toString('utf8');
      const eggFileText = !child.children ? child.content?.toString('utf8') : undefined;
      const name = headerField(metaText ?? eggFileText, 'Name') ?? dirName;
      const version = headerField(metaText ?? eggFileText, 'Version') ?? dirVersion;
      if (name === 'Python' || name === 'python') continue;
      const seen = new Set<Inode>();
      const paths = new Set<string>();
      let bytes = 0;
      let files = 0;
      const add = (abs: string) => {
        if (paths.has(abs)) return;
        const n = lookup(root, abs.slice(1));
        if (!n || n.children) return;
        paths.add(abs);
        bytes += sizeOf(n, seen);
        files++;
      };
      const addTree = (abs: string) => {
        const n = lookup(root, abs.slice(1));
        if (!n) return;
        for (const f of subtreeFiles(n, abs)) add(f.abs);
      };
      let sizedFrom = 'metadata only';
      const record =
        child.children?.get('RECORD')?.content ?? child.children?.get('installed-files.txt')?.content;
      if (record) {
        sizedFrom = child.children?.get('RECORD')?.content ? 'RECORD' : 'installed-files.txt';
        const base = sizedFrom === 'RECORD' ? sp : `${sp}/${child.name}`;
        for (const rel of parseCsvFirstColumn(record.toString('utf8'))) {
          const abs = path.posix.resolve(base, rel.trim());
          add(abs);
          // pip compiles after writing RECORD in some versions: count the bytecode next to each module.
          if (abs.endsWith('.py')) {
            const dir = path.posix.dirname(abs);
            const stem = path.posix.basename(abs, '.py');
            const pc = lookup(root, `${dir.slice(1)}/__pycache__`);
            if (pc?.children)
              for (const k of pc.children.keys())
                if (k.startsWith(`${stem}.`) && k.endsWith('.pyc')) add(`${dir}/__pycache__/${k}`);
          }
        }
      } else {
        const top = child.children?.get('top_level.txt')?.content?.toString('utf8');
        if (top) {
          sizedFrom = 'top_level.txt';
          for (const t of top
            .split(/\r?\n/)
            .map((s) => s.trim())
            .filter(Boolean)) {
            addTree(`${sp}/${t}`);
            add(`${sp}/${t}.py`);
            const pk = spNode.children!;
            for (const k of pk.keys()) if (k.startsWith(`${t}.`) && /\.(so|pyd)$/.test(k)) add(`${sp}/${k}`);
          }
        }
      }
      // The metadata directory itself always belongs to the distribution.
      addTree(`${sp}/${child.name}`);
      const installer = child.children?.get('INSTALLER')?.content?.toString('utf8').trim();
      const d: Distribution = {
        name,
        version,
        key: normalizeName(name),
        sitePackages: sp,
        venv: env.venv,
        bytes,
        files,
        layer: child.since,
        sizedFrom,
        paths,
      };
      if (installer) d.installer = installer;
      const requires = requiredNames(metaText);
      if (requires.length) d.requires = requires;
      distributions.push(d);
      env.distributions++;
    }
    environments.push(env);
  }
  distributions.sort((a, b) => b.bytes - a.bytes || a.key.localeCompare(b.key));
  return { environments, distributions, venvs };
}
