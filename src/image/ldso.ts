/**
 * Static resolution of DT_NEEDED against the image's own squashed filesystem, in ld.so(8)'s order:
 * DT_RPATH (only without DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.cache, the default
 * directories (multiarch and lib64 included). $ORIGIN/$LIB/$PLATFORM are expanded; symlinks are
 * followed in the final filesystem with loop detection; a candidate of the wrong ELF class or
 * machine is skipped as ld.so skips it. musl images use /etc/ld-musl-<arch>.path.
 */
import path from 'node:path';
import type { ElfInfo } from './elf.js';
import { type FsNode, lookup } from './squash.js';

const MAX_HOPS = 40;

export interface Resolved {
  node: FsNode;
  path: string;
}

/** Follow symlinks (absolute and relative, in every component) inside the image. */
export function resolvePath(root: FsNode, abs: string): Resolved | 'loop' | null {
  let pending = abs.split('/').filter((s) => s !== '' && s !== '.');
  const done: string[] = [];
  const nodes: FsNode[] = [root];
  let hops = 0;
  while (pending.length) {
    const seg = pending.shift()!;
    if (seg === '..') {
      if (done.length) {
        done.pop();
        nodes.pop();
      }
      continue;
    }
    const cur = nodes[nodes.length - 1]!;
    const next = cur.children?.get(seg);
    if (!next) return null;
    if (next.type === 'symlink') {
      if (++hops > MAX_HOPS) return 'loop';
      const t = next.linkname;
      const parts = t.split('/').filter((s) => s !== '' && s !== '.');
      if (t.startsWith('/')) {
        done.length = 0;
        nodes.length = 1;
      }
      pending = [...parts, ...pending];
      continue;
    }
    if (next.type === 'hardlink' || next.type === 'file' || next.type === 'dir' || !next.children) {
      done.push(seg);
      nodes.push(next);
      if (!next.children && pending.length) return null;
    }
  }
  return { node: nodes[nodes.length - 1]!, path: `/${done.join('/')}` };
}

const TRIPLETS: Record<number, string> = {
  62: 'x86_64-linux-gnu',
  183: 'aarch64-linux-gnu',
  3: 'i386-linux-gnu',
  40: 'arm-linux-gnueabihf',
  21: 'powerpc64le-linux-gnu',
  22: 's390x-linux-gnu',
  243: 'riscv64-linux-gnu',
};
const PLATFORMS: Record<number, string> = {
  62: 'x86_64',
  183: 'aarch64',
  3: 'i686',
  40: 'armv7l',
  21: 'ppc64le',
  22: 's390x',
};

/** Parse glibc's /etc/ld.so.cache (the "glibc-ld.so.cache1.1" format, possibly after the old one). */
export function parseLdCache(buf: Buffer): Map<string, string[]> | null {
  const magic = Buffer.from('glibc-ld.so.cache1.1');
  const start = buf.indexOf(magic);
  if (start < 0) return null;
  const out = new Map<string, string[]>();
  if (buf.length < start + 48) return null;
  const nlibs = buf.readUInt32LE(start + 20);
  const entriesAt = start + 48;
  if (nlibs > 1_000_000 || entriesAt + nlibs * 24 > buf.length) return null;
  const str = (off: number): string | null => {
    const at = start + off;
    if (at < 0 || at >= buf.length) return null;
    const end = buf.indexOf(0, at);
    if (end < 0) return null;
    return buf.toString('utf8', at, end);
  };
  for (let i = 0; i < nlibs; i++) {
    const o = entriesAt + i * 24;
    const key = str(buf.readUInt32LE(o + 4));
    const value = str(buf.readUInt32LE(o + 8));
    if (!key || !value) continue;
    const list = out.get(key);
    if (list) list.push(value);
    else out.set(key, [value]);
  }
  return out;
}

/** Directories named by /etc/ld.so.conf and its `include`s (globs over the captured conf files). */
export function ldConfDirs(root: FsNode): string[] {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, depth: number) => {
    if (depth > 8 || seen.has(file)) return;
    seen.add(file);
    const n = lookup(root, file.replace(/^\//, ''));
    const text = n?.content?.toString('utf8');
    if (!text) return;
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) continue;
      const inc = /^include\s+(.+)$/.exec(line);
      if (inc) {
        for (const pat of inc[1]!.split(/\s+/)) {
          const abs = pat.startsWith('/') ? pat : path.posix.join('/etc', pat);
          const dir = path.posix.dirname(abs);
          const re = new RegExp(
            `^${path.posix
              .basename(abs)
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '.*')
              .replace(/\?/g, '.')}$`,
          );
          const d = lookup(root, dir.replace(/^\//, ''));
          const names = d?.children ? [...d.children.keys()].filter((k) => re.test(k)).sort() : [];
          for (const name of names) visit(`${dir}/${name}`, depth + 1);
        }
        continue;
      }
      if (line.startsWith('hwcap')) continue;
      for (const d of line.split(/[:,\s]+/)) if (d.startsWith('/')) dirs.push(d.replace(/=.*$/, ''));
    }
  };
  visit('/etc/ld.so.conf', 0);
  return [...new Set(dirs)];
}

export interface LdContext {
  root: FsNode;
  musl: boolean;
  cache: Map<string, string[]> | null;
  confDirs: string[];
  ldLibraryPath: string[];
}

export function buildLdContext(root: FsNode, env: string[]): LdContext {
  const etc = lookup(root, 'etc');
  const muslPath = etc?.children
    ? [...etc.children.keys()].find((k) => k.startsWith('ld-musl-') && k.endsWith('.path'))
    : undefined;
  const libDir = lookup(root, 'lib');
  const muslLoader = libDir?.children
    ? [...libDir.children.keys()].some((k) => k.startsWith('ld-musl-'))
    : false;
  const musl = Boolean(muslPath) || muslLoader;
  const cacheNode = lookup(root, 'etc/ld.so.cache');
  const cache = !musl && cacheNode?.content ? parseLdCache(cacheNode.content) : null;
  let confDirs: string[];
  if (musl) {
    const text = muslPath ? lookup(root, `etc/${muslPath}`)?.content?.toString('utf8') : undefined;
    confDirs = text
      ? text
          .split(/[:\n]/)
          .map((s) => s.trim())
          .filter((s) => s.startsWith('/'))
      : ['/lib', '/usr/local/lib', '/usr/lib'];
  } else confDirs = ldConfDirs(root);
  const llp = env.find((e) => e.startsWith('LD_LIBRARY_PATH='));
  const ldLibraryPath = llp ? llp.slice('LD_LIBRARY_PATH='.length).split(/[:;]/).filter(Boolean) : [];
  return { root, musl, cache, confDirs, ldLibraryPath };
}

export type Resolution =
  | { found: true; path: string; via: string }
  | { found: false; reason: 'missing' | 'loop' | 'incompatible'; note?: string };

function expand(dir: string, origin: string, elf: ElfInfo): string {
  const machine = elf.machine ?? 62;
  const lib = TRIPLETS[machine] ? `lib/${TRIPLETS[machine]}` : elf.bits === 64 ? 'lib64' : 'lib';
  return dir
    .replace(/\$(\{ORIGIN\}|ORIGIN)/g, origin)
    .replace(/\$(\{LIB\}|LIB)/g, lib)
    .replace(/\$(\{PLATFORM\}|PLATFORM)/g, PLATFORMS[machine] ?? 'x86_64');
}

function compatible(n: FsNode, elf: ElfInfo): boolean {
  if (n.type === 'dir') return false;
  const e = n.elf;
  if (!e) return true;
  if (e.format !== 'elf') return false;
  return (
    e.bits === elf.bits && (e.machine === undefined || elf.machine === undefined || e.machine === elf.machine)
  );
}

/**
 * Resolve one DT_NEEDED name for the object at `objPath` (absolute, in the image).
 */
export function resolveNeeded(name: string, objPath: string, elf: ElfInfo, ctx: LdContext): Resolution {
  let sawLoop = false;
  let sawIncompatible = false;
  const tryFile = (abs: string): string | null => {
    const r = resolvePath(ctx.root, abs);
    if (r === 'loop') {
      sawLoop = true;
      return null;
    }
    if (!r) return null;
    if (!compatible(r.node, elf)) {
      sawIncompatible = true;
      return null;
    }
    return r.path;
  };
  const inDirs = (dirs: string[], via: string): Resolution | null => {
    for (const d of dirs) {
      const p = tryFile(path.posix.join(d, name));
      if (p) return { found: true, path: p, via };
    }
    return null;
  };
  if (name.includes('/')) {
    const p = tryFile(name.startsWith('/') ? name : path.posix.join(path.posix.dirname(objPath), name));
    if (p) return { found: true, path: p, via: 'path' };
    return { found: false, reason: sawLoop ? 'loop' : 'missing' };
  }
  // $ORIGIN is the directory of the object as loaded, after symlinks.
  const real = resolvePath(ctx.root, objPath);
  const origin = path.posix.dirname(real && real !== 'loop' ? real.path : objPath);
  const rpath = elf.runpath.length ? [] : elf.rpath.map((d) => expand(d, origin, elf));
  const runpath = elf.runpath.map((d) => expand(d, origin, elf));
  const machine = elf.machine ?? 62;
  const triplet = TRIPLETS[machine];
  const defaults = ctx.musl
    ? ctx.confDirs
    : [
        ...(triplet ? [`/lib/${triplet}`, `/usr/lib/${triplet}`] : []),
        ...(elf.bits === 64 ? ['/lib64', '/usr/lib64'] : []),
        '/lib',
        '/usr/lib',
      ];
  const steps: Array<[string[], string]> = [
    [rpath, 'DT_RPATH'],
    [ctx.ldLibraryPath, 'LD_LIBRARY_PATH'],
    [runpath, 'DT_RUNPATH'],
  ];
  for (const [dirs, via] of steps) {
    const r = inDirs(dirs, via);
    if (r) return r;
  }
  if (!ctx.musl) {
    if (ctx.cache) {
      for (const p of ctx.cache.get(name) ?? []) {
        const f = tryFile(p);
        if (f) return { found: true, path: f, via: 'ld.so.cache' };
      }
    }
  }
  const d = inDirs(defaults, ctx.musl ? 'musl path' : 'default directories');
  if (d) return d;
  if (!ctx.musl) {
    const c = inDirs(ctx.confDirs, 'ld.so.conf');
    if (c?.found) {
      // Without a cache entry ld.so never searches these directories: ldconfig was not run.
      if (ctx.cache) {
        return {
          found: false,
          reason: 'missing',
          note: `present in ${c.path} but not in /etc/ld.so.cache: run ldconfig`,
        };
      }
      return c;
    }
  }
  return { found: false, reason: sawLoop ? 'loop' : sawIncompatible ? 'incompatible' : 'missing' };
}
