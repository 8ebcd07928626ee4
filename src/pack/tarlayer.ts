/**
 * Deterministic layer tars: entries sorted bytewise by path, every parent directory present, fixed
 * mtime (SOURCE_DATE_EPOCH), numeric owners with empty names, no atime/ctime. The same entry set in
 * any order gives the same bytes, so the diff_id (sha256 of the tar) depends on content only.
 */
import { createHash } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';

export interface LayerEntry {
  /** Path in the image, relative, no leading '/'. Directories without a trailing '/'. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  data?: Buffer;
  linkname?: string;
  uid?: number;
  gid?: number;
}

export interface TarOptions {
  mtime: number;
  /** Top-level directories that are symlinks in the base (merged /usr): never emitted as directories. */
  keepSymlinkDirs?: string[];
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(
  name: string,
  e: LayerEntry,
  size: number,
  typeflag: string,
  mtime: number,
  linkname = '',
): Buffer {
  const h = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (
      cut > 0 &&
      Buffer.byteLength(name.slice(0, cut)) <= 155 &&
      Buffer.byteLength(name.slice(cut + 1)) <= 100
    ) {
      prefix = name.slice(0, cut);
      base = name.slice(cut + 1);
    } else base = name.slice(0, 100);
  }
  h.write(base, 0, 100, 'utf8');
  h.write(octal(e.mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(e.uid ?? 0, 8), 108, 'ascii');
  h.write(octal(e.gid ?? 0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(typeflag, 156, 'ascii');
  h.write(linkname.slice(0, 100), 157, 'utf8');
  h.write('ustar\x0000', 257, 'binary');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function pad(n: number): Buffer {
  const r = n % BLOCK;
  return Buffer.alloc(r === 0 ? 0 : BLOCK - r);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (Buffer.byteLength(`${len}${body}`) !== len) len = Buffer.byteLength(`${len}${body}`);
  return `${len}${body}`;
}

function needsPax(name: string, linkname: string): boolean {
  if (Buffer.byteLength(linkname) > 100) return true;
  if (Buffer.byteLength(name) <= 100) return false;
  const cut = name.lastIndexOf('/', 155);
  return !(
    cut > 0 &&
    Buffer.byteLength(name.slice(0, cut)) <= 155 &&
    Buffer.byteLength(name.slice(cut + 1)) <= 100
  );
}

/** Adds the missing parent directories (0755, root) and sorts; a later entry for a path wins. */
export function normalizeEntries(entries: LayerEntry[], keepSymlinkDirs: string[] = []): LayerEntry[] {
  const byPath = new Map<string, LayerEntry>();
  for (const e of entries) {
    const p = e.path.replace(/^\/+/, '').replace(/\/+$/, '');
    if (!p || p.split('/').some((s) => s === '..' || s === '.' || s === ''))
      throw new Error(`layer entry path ${JSON.stringify(e.path)} is not a clean relative path`);
    byPath.set(p, { ...e, path: p });
  }
  for (const p of [...byPath.keys()]) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (i === 1 && keepSymlinkDirs.includes(dir)) continue;
      if (!byPath.has(dir)) byPath.set(dir, { path: dir, type: 'dir', mode: 0o755 });
    }
  }
  return [...byPath.values()].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

export function tarLayer(entries: LayerEntry[], opts: TarOptions): Buffer {
  const chunks: Buffer[] = [];
  for (const e of normalizeEntries(entries, opts.keepSymlinkDirs)) {
    const name = e.type === 'dir' ? `${e.path}/` : e.path;
    const linkname = e.linkname ?? '';
    if (needsPax(name, linkname)) {
      let recs = '';
      if (Buffer.byteLength(name) > 100) recs += paxRecord('path', name);
      if (Buffer.byteLength(linkname) > 100) recs += paxRecord('linkpath', linkname);
      const body = Buffer.from(recs, 'utf8');
      chunks.push(
        header('PaxHeader', { ...e, mode: 0o644 }, body.length, 'x', opts.mtime),
        body,
        pad(body.length),
      );
    }
    if (e.type === 'file') {
      const data = e.data ?? Buffer.alloc(0);
      chunks.push(header(name, e, data.length, '0', opts.mtime), data, pad(data.length));
    } else if (e.type === 'dir') {
      chunks.push(header(name, e, 0, '5', opts.mtime));
    } else {
      chunks.push(header(name, e, 0, '2', opts.mtime, linkname));
    }
  }
  chunks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(chunks);
}

export function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

/**
 * gzip with a fixed header (no name, mtime 0, OS 255) around Node's raw deflate: the bytes depend
 * on the input and on Node's bundled zlib only (see README: what the digests promise).
 */
export function gzipFixed(data: Buffer): Buffer {
  const head = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const body = deflateRawSync(data, { level: 6 });
  const tail = Buffer.alloc(8);
  tail.writeUInt32LE(crc32(data) >>> 0, 0);
  tail.writeUInt32LE(data.length >>> 0, 4);
  return Buffer.concat([head, body, tail]);
}
