/**
 * Runtime Debian libraries without apt: the plan's runtime packages resolved against the release's
 * Packages indexes (main, -updates, -security) with their Pre-Depends/Depends closure minus what the
 * base's dpkg database has, each .deb fetched and checked against the index's SHA256, unpacked with
 * merged-/usr handling (never a directory over a base symlink), docs dropped, update-alternatives
 * emulated, and recorded in the image's dpkg database so `dpkg -l` and scanners see them. Any other
 * maintainer script is refused by name. Decompression uses the host's `xz` (or gzip/zstd/none).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../plan.js';
import { type BaseFacts, dpkgStanzas } from './base.js';
import type { Store } from './store.js';
import type { LayerEntry } from './tarlayer.js';

export interface DebPin {
  name: string;
  version: string;
  arch: string;
  filename: string;
  sha256: string;
  url: string;
}

export interface Stanza {
  fields: Map<string, string>;
  text: string;
}

export function parseDeb822(text: string): Stanza[] {
  const out: Stanza[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    if (!block.trim()) continue;
    const fields = new Map<string, string>();
    let last = '';
    for (const line of block.split('\n')) {
      if (/^[ \t]/.test(line) && last) fields.set(last, `${fields.get(last)}\n${line}`);
      else {
        const i = line.indexOf(':');
        if (i <= 0) continue;
        last = line.slice(0, i);
        fields.set(last, line.slice(i + 1).trim());
      }
    }
    out.push({ fields, text: block.trim() });
  }
  return out;
}

function run(cmd: string, args: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', (e) =>
      reject(new Error(`${cmd}: ${e.message} (install xz-utils to read .deb and Packages.xz)`)),
    );
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${cmd} ${args.join(' ')}: ${err.trim()}`)),
    );
    child.stdin.end(input);
  });
}

async function decompress(name: string, data: Buffer): Promise<Buffer> {
  if (name.endsWith('.xz')) return run('xz', ['-dc'], data);
  if (name.endsWith('.zst')) return run('zstd', ['-dc'], data);
  if (name.endsWith('.gz')) return gunzipSync(data);
  return data;
}

/** The members of an `ar` archive (a .deb's outer layer). */
export function readAr(buf: Buffer, file: string): Map<string, Buffer> {
  if (buf.toString('latin1', 0, 8) !== '!<arch>\n')
    throw new InputError(`${file}: not a .deb (no ar header)`);
  const out = new Map<string, Buffer>();
  let off = 8;
  while (off + 60 <= buf.length) {
    const name = buf
      .toString('latin1', off, off + 16)
      .trim()
      .replace(/\/$/, '');
    const size = Number(buf.toString('latin1', off + 48, off + 58).trim());
    out.set(name, buf.subarray(off + 60, off + 60 + size));
    off += 60 + size + (size % 2);
  }
  return out;
}

interface TarMember {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink';
  mode: number;
  data: Buffer;
  linkname: string;
}

/** A plain ustar/GNU tar reader for the small tars inside .debs (long names via GNU 'L' and PAX). */
export function readTar(buf: Buffer): TarMember[] {
  const out: TarMember[] = [];
  let off = 0;
  let longName: string | null = null;
  let longLink: string | null = null;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, b: number) => h.toString('utf8', a, b).replace(/\0.*$/s, '');
    const size = Number.parseInt(str(124, 136).trim() || '0', 8);
    const type = String.fromCharCode(h[156] ?? 48);
    const data = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'K') {
      longLink = data.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x') {
      for (const m of data.toString('utf8').matchAll(/\d+ (path|linkpath)=([^\n]*)\n/g)) {
        if (m[1] === 'path') longName = m[2] ?? null;
        else longLink = m[2] ?? null;
      }
      continue;
    }
    const prefix = str(345, 500);
    const name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    const linkname = longLink ?? str(157, 257);
    longName = null;
    longLink = null;
    const mode = Number.parseInt(str(100, 108).trim() || '0', 8);
    const kind =
      type === '5'
        ? 'dir'
        : type === '2'
          ? 'symlink'
          : type === '1'
            ? 'hardlink'
            : type === '0' || type === '\0'
              ? 'file'
              : null;
    if (kind)
      out.push({ name: name.replace(/^\.\//, '').replace(/\/$/, ''), type: kind, mode, data, linkname });
  }
  return out;
}

/** Debian policy §5.6.12 version comparison. */
export function compareDebVersions(a: string, b: string): number {
  const split = (v: string) => {
    const e = v.indexOf(':');
    const epoch = e >= 0 ? Number(v.slice(0, e)) : 0;
    const rest = e >= 0 ? v.slice(e + 1) : v;
    const r = rest.lastIndexOf('-');
    return { epoch, up: r >= 0 ? rest.slice(0, r) : rest, rev: r >= 0 ? rest.slice(r + 1) : '0' };
  };
  const order = (c: string) =>
    c === '~' ? -1 : c === '' ? 0 : /[A-Za-z]/.test(c) ? c.charCodeAt(0) : c.charCodeAt(0) + 256;
  const part = (x: string, y: string): number => {
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      while ((i < x.length && !/\d/.test(x[i] as string)) || (j < y.length && !/\d/.test(y[j] as string))) {
        const cx = i < x.length && !/\d/.test(x[i] as string) ? (x[i] as string) : '';
        const cy = j < y.length && !/\d/.test(y[j] as string) ? (y[j] as string) : '';
        const d = order(cx) - order(cy);
        if (d) return d;
        if (cx) i++;
        if (cy) j++;
        if (!cx && !cy) break;
      }
      let nx = '';
      let ny = '';
      while (i < x.length && /\d/.test(x[i] as string)) nx += x[i++];
      while (j < y.length && /\d/.test(y[j] as string)) ny += y[j++];
      const d = Number(nx || '0') - Number(ny || '0');
      if (d) return d;
    }
    return 0;
  };
  const x = split(a);
  const y = split(b);
  return x.epoch - y.epoch || part(x.up, y.up) || part(x.rev, y.rev);
}

export interface AptIndex {
  packages: Map<string, Stanza & { mirror: string }>;
  provides: Map<string, string[]>;
}

const MIRROR = 'http://deb.debian.org/debian';
const SECURITY = 'http://deb.debian.org/debian-security';

export async function loadIndex(store: Store, codename: string, arch: string): Promise<AptIndex> {
  const sources = [
    { mirror: MIRROR, suite: codename },
    { mirror: MIRROR, suite: `${codename}-updates` },
    { mirror: SECURITY, suite: `${codename}-security` },
  ];
  const index: AptIndex = { packages: new Map(), provides: new Map() };
  for (const s of sources) {
    const url = `${s.mirror}/dists/${s.suite}/main/binary-${arch}/Packages.xz`;
    let res: Response;
    try {
      res = await fetch(url);
    } catch (err) {
      throw new InputError(`${url}: ${(err as Error).message}`);
    }
    if (res.status === 404 && s.suite !== codename) continue;
    if (!res.ok) throw new InputError(`${url}: ${res.status} ${res.statusText}`);
    const xz = Buffer.from(await res.arrayBuffer());
    await store.putBuffer(xz);
    for (const st of parseDeb822((await decompress('Packages.xz', xz)).toString('utf8'))) {
      const name = st.fields.get('Package');
      const version = st.fields.get('Version');
      if (!name || !version) continue;
      const have = index.packages.get(name);
      if (!have || compareDebVersions(version, have.fields.get('Version') ?? '') > 0)
        index.packages.set(name, { ...st, mirror: s.mirror });
      for (const p of (st.fields.get('Provides') ?? '').split(',')) {
        const v = p.trim().split(/\s/)[0];
        if (v) index.provides.set(v, [...new Set([...(index.provides.get(v) ?? []), name])]);
      }
    }
  }
  return index;
}

function installedNames(facts: BaseFacts): Set<string> {
  const out = new Set<string>();
  for (const st of parseDeb822(dpkgStanzas(facts).join('\n\n'))) {
    const n = st.fields.get('Package');
    if (n && /install ok installed/.test(st.fields.get('Status') ?? 'install ok installed')) {
      out.add(n);
      for (const p of (st.fields.get('Provides') ?? '').split(',')) {
        const v = p.trim().split(/\s/)[0];
        if (v) out.add(v);
      }
    }
  }
  return out;
}

/** The closure of `roots` (Pre-Depends + Depends, first satisfiable alternative) minus the base. */
export function resolveClosure(index: AptIndex, roots: string[], installed: Set<string>): string[] {
  const chosen = new Set<string>();
  const queue = [...roots];
  const pick = (alt: string): string | null => {
    const name = alt.trim().split(/[\s(:]/)[0] ?? '';
    if (installed.has(name)) return '';
    if (index.packages.has(name)) return name;
    const providers = index.provides.get(name) ?? [];
    const have = providers.find((p) => installed.has(p) || chosen.has(p));
    if (have !== undefined) return '';
    return providers.length === 1 ? (providers[0] as string) : null;
  };
  while (queue.length) {
    const name = queue.shift() as string;
    if (chosen.has(name) || installed.has(name)) continue;
    const st = index.packages.get(name);
    if (!st) throw new InputError(`Debian package ${name} is not in the release's Packages index`);
    chosen.add(name);
    const deps = [st.fields.get('Pre-Depends'), st.fields.get('Depends')].filter(Boolean).join(',');
    for (const clause of deps.split(',')) {
      if (!clause.trim()) continue;
      const alts = clause.split('|');
      let done = false;
      for (const alt of alts) {
        const p = pick(alt);
        if (p === '') {
          done = true;
          break;
        }
        if (p) {
          queue.push(p);
          done = true;
          break;
        }
      }
      if (!done)
        throw new InputError(`${name} depends on ${clause.trim()}, which pack cannot choose a package for`);
    }
  }
  return [...chosen].sort();
}

const DROP = /^usr\/share\/(doc|man|info|lintian|locale|bug)\//;
const SCRIPT_OK =
  /^(#!\/bin\/sh( -e)?|set -e|exit 0|#.*|if \[ "\$1" = "configure" \]; then|fi|\s*|ldconfig|\s*update-alternatives --install \S+ \S+ \S+ \d+.*)$/;

export interface UnpackedDebs {
  entries: LayerEntry[];
  pins: DebPin[];
}

export async function debLayer(
  store: Store,
  facts: BaseFacts,
  roots: string[],
  codename: string,
  arch: string,
  pinned: DebPin[] | undefined,
): Promise<UnpackedDebs> {
  const installed = installedNames(facts);
  let pins: DebPin[];
  if (pinned?.length && roots.every((r) => installed.has(r) || pinned.some((p) => p.name === r)))
    pins = pinned;
  else {
    const index = await loadIndex(store, codename, arch);
    pins = resolveClosure(index, roots, installed).map((name) => {
      const st = index.packages.get(name) as Stanza & { mirror: string };
      const filename = st.fields.get('Filename') as string;
      return {
        name,
        version: st.fields.get('Version') as string,
        arch: st.fields.get('Architecture') as string,
        filename,
        sha256: st.fields.get('SHA256') as string,
        url: `${st.mirror}/${filename}`,
      };
    });
  }
  const top = new Set(facts.topLinks);
  const statusFile = 'var/lib/dpkg/status' in facts.files;
  const entries: LayerEntry[] = [];
  const statusAdd: string[] = [];
  for (const pin of pins) {
    let deb: Buffer;
    const digest = `sha256:${pin.sha256}`;
    if (await store.has(digest)) deb = await store.read(digest);
    else {
      const res = await fetch(pin.url);
      if (!res.ok) throw new InputError(`${pin.url}: ${res.status} ${res.statusText}`);
      deb = Buffer.from(await res.arrayBuffer());
      const got = createHash('sha256').update(deb).digest('hex');
      if (got !== pin.sha256)
        throw new InputError(`${pin.url} has sha256 ${got}, the index says ${pin.sha256}`);
      await store.putBuffer(deb);
    }
    const ar = readAr(deb, path.basename(pin.filename));
    const member = (prefix: string) => [...ar.keys()].find((k) => k.startsWith(prefix));
    const controlName = member('control.tar');
    const dataName = member('data.tar');
    if (!controlName || !dataName) throw new InputError(`${pin.filename}: no control.tar or data.tar member`);
    const control = readTar(await decompress(controlName, ar.get(controlName) as Buffer));
    const byName = new Map(control.map((m) => [m.name, m]));
    for (const script of ['preinst', 'postinst', 'prerm', 'postrm']) {
      const text = byName.get(script)?.data.toString('utf8');
      if (!text || script === 'prerm' || script === 'postrm') continue;
      const bad = text
        .split('\n')
        .filter((l) => !SCRIPT_OK.test(l.trim()) && !/^(triggers?|#DEBHELPER#)/.test(l.trim()));
      if (bad.length)
        throw new InputError(
          `${pin.name}'s ${script} does more than pack can emulate (${bad[0]?.trim()}): use pycontain build`,
        );
    }
    const files: string[] = [];
    for (const m of readTar(await decompress(dataName, ar.get(dataName) as Buffer))) {
      let p = m.name;
      if (!p || p === '.') continue;
      const first = p.split('/')[0] as string;
      // merged /usr: /lib/x -> /usr/lib/x when the base's /lib is a symlink to usr/lib.
      if (top.has(first)) {
        const target = facts.links[first] ?? '';
        p = path.posix.normalize(path.posix.join(target.replace(/^\//, ''), p.slice(first.length + 1)));
      }
      if (DROP.test(`${p}/`) || DROP.test(p)) continue;
      if (m.type === 'dir') entries.push({ path: p, type: 'dir', mode: m.mode & 0o7777 });
      else if (m.type === 'symlink')
        entries.push({ path: p, type: 'symlink', mode: 0o777, linkname: m.linkname });
      else if (m.type === 'file')
        entries.push({ path: p, type: 'file', mode: m.mode & 0o7777, data: m.data });
      else continue;
      files.push(`/${m.name}`);
    }
    const postinst = byName.get('postinst')?.data.toString('utf8') ?? '';
    for (const mt of postinst.matchAll(/update-alternatives --install (\S+) (\S+) (\S+) \d+/g)) {
      const [, link, altName, target] = mt as unknown as [string, string, string, string];
      entries.push({
        path: link.slice(1),
        type: 'symlink',
        mode: 0o777,
        linkname: `/etc/alternatives/${altName}`,
      });
      entries.push({ path: `etc/alternatives/${altName}`, type: 'symlink', mode: 0o777, linkname: target });
      entries.push({
        path: `var/lib/dpkg/alternatives/${altName}`,
        type: 'file',
        mode: 0o644,
        data: Buffer.from(`auto\n${link}\n\n${target}\n10\n\n`),
      });
    }
    const ctl = parseDeb822(byName.get('control')?.data.toString('utf8') ?? '')[0];
    if (!statusFile) {
      // Distroless: one status.d file per package (what rules_distroless writes), no info lists.
      const stanza = (ctl?.text ?? `Package: ${pin.name}`).split('\n');
      stanza.splice(1, 0, 'Status: install ok installed');
      entries.push({
        path: `var/lib/dpkg/status.d/${pin.name}`,
        type: 'file',
        mode: 0o644,
        data: Buffer.from(`${stanza.join('\n')}\n`),
      });
      const sums = byName.get('md5sums');
      if (sums)
        entries.push({
          path: `var/lib/dpkg/status.d/${pin.name}.md5sums`,
          type: 'file',
          mode: 0o644,
          data: sums.data,
        });
      continue;
    }
    const multi = ctl?.fields.get('Multi-Arch') === 'same';
    const infoName = multi ? `${pin.name}:${pin.arch}` : pin.name;
    entries.push({
      path: `var/lib/dpkg/info/${infoName}.list`,
      type: 'file',
      mode: 0o644,
      data: Buffer.from(`${files.join('\n')}\n`),
    });
    const md5 = byName.get('md5sums');
    if (md5)
      entries.push({
        path: `var/lib/dpkg/info/${infoName}.md5sums`,
        type: 'file',
        mode: 0o644,
        data: md5.data,
      });
    const lines = (ctl?.text ?? `Package: ${pin.name}`).split('\n');
    lines.splice(1, 0, 'Status: install ok installed');
    statusAdd.push(lines.join('\n'));
  }
  if (pins.length && statusFile) {
    const base = (facts.files['var/lib/dpkg/status']?.data ?? '').replace(/\n+$/, '');
    // The base's stanzas keep their bytes (read as latin1); ours are the packages' own UTF-8.
    const data = Buffer.concat([
      Buffer.from(base, 'latin1'),
      Buffer.from(`${statusAdd.map((s) => `\n\n${s}`).join('')}\n`, 'utf8'),
    ]);
    entries.push({ path: 'var/lib/dpkg/status', type: 'file', mode: 0o644, data });
  }
  return { entries, pins };
}
