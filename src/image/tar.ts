/**
 * A push-based, allocation-light tar reader for layer streams.
 *
 * Layers hold tens of thousands of small files; a per-entry stream object (tar-stream) costs more
 * than the decompression itself. This parser takes chunks as they come out of the decompressor,
 * calls the visitor once per entry with the parsed header, and hands data to an optional sink
 * without copying. Hostile input is bounded: metadata records are capped, checksums verified,
 * and a stream that ends inside an entry is an error.
 */

export type EntryType = 'file' | 'hardlink' | 'symlink' | 'dir' | 'char' | 'block' | 'fifo' | 'other';

export interface TarEntry {
  /** Normalized path: no leading '/' or './', no '.' or '..' segments, no trailing '/'. '' is the root. */
  path: string;
  /** The name as it appeared in the archive (after pax/GNU long-name substitution). */
  rawPath: string;
  type: EntryType;
  /** Bytes of data stored in the archive for this entry. */
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** Hard link target (normalized like path) or symlink target (verbatim). */
  linkname: string;
  /** True when the raw name climbed above the root ('../../etc/passwd'): clamped, and worth a warning. */
  escapes: boolean;
  /** Extended attribute names present (SCHILY.xattr.*), e.g. 'security.capability'. */
  xattrs?: string[];
}

/** Receives the bytes of one entry. `offset` is the position of `chunk` within the entry's data. */
export interface EntrySink {
  data(chunk: Buffer, offset: number): void;
  end(): void;
}

export interface TarVisitor {
  entry(e: TarEntry): EntrySink | undefined;
}

export class TarFormatError extends Error {
  constructor(
    message: string,
    public readonly offset: number,
  ) {
    super(message);
    this.name = 'TarFormatError';
  }
}

/** Longest pax or GNU long-name record we accept; real ones are a few hundred bytes. */
const MAX_META = 1 << 20;

enum State {
  Header = 0,
  Data = 1,
  Meta = 2,
  Padding = 3,
  End = 4,
}

export function normalizeEntryPath(raw: string): { path: string; escapes: boolean } {
  if (isCleanPath(raw)) return { path: raw, escapes: false };
  // Next most common: 'tar -C dir .' writes './etc/' (a leading './', directories with a trailing '/').
  let start = 0;
  let end = raw.length;
  while (raw.startsWith('./', start)) start += 2;
  while (end > start && raw.charCodeAt(end - 1) === 47) end--;
  if (end > start) {
    const inner = raw.slice(start, end);
    if (isCleanPath(inner)) return { path: inner, escapes: false };
  }
  const out: string[] = [];
  let escapes = false;
  for (const seg of raw.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) escapes = true;
      else out.pop();
      continue;
    }
    out.push(seg);
  }
  return { path: out.join('/'), escapes };
}

/**
 * The overwhelmingly common clean relative name, in one pass: non-empty, no leading '/' or '.', no
 * '//' or '/.' inside, no trailing '/'.
 */
function isCleanPath(raw: string): boolean {
  const n = raw.length;
  if (n === 0) return false;
  let prev = raw.charCodeAt(0);
  if (prev === 47 || prev === 46) return false;
  for (let i = 1; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (prev === 47 && (c === 47 || c === 46)) return false;
    prev = c;
  }
  return prev !== 47;
}

function readString(buf: Buffer, start: number, len: number): string {
  let end = start;
  const stop = start + len;
  while (end < stop && buf[end] !== 0) end++;
  return buf.toString('utf8', start, end);
}

function readNumber(buf: Buffer, start: number, len: number, at: number, field: string): number {
  const first = buf[start]!;
  if (first & 0x80) {
    // GNU base-256: big-endian two's complement in the remaining bytes.
    if (first === 0xff) throw new TarFormatError(`negative ${field} in tar header`, at);
    let v = first & 0x7f;
    for (let i = start + 1; i < start + len; i++) {
      v = v * 256 + buf[i]!;
      if (v > Number.MAX_SAFE_INTEGER) throw new TarFormatError(`absurd ${field} in tar header`, at);
    }
    return v;
  }
  let v = 0;
  let i = start;
  const stop = start + len;
  while (i < stop && (buf[i] === 32 || buf[i] === 0)) i++;
  for (; i < stop; i++) {
    const c = buf[i]!;
    if (c === 0 || c === 32) break;
    if (c < 48 || c > 55) throw new TarFormatError(`invalid octal ${field} in tar header`, at);
    v = v * 8 + (c - 48);
  }
  return v;
}

function checksumOk(h: Buffer, at: number): boolean {
  const stored = readNumber(h, 148, 8, at, 'checksum');
  let unsigned = 8 * 32;
  let i = 0;
  for (; i < 144; i += 8)
    unsigned += h[i]! + h[i + 1]! + h[i + 2]! + h[i + 3]! + h[i + 4]! + h[i + 5]! + h[i + 6]! + h[i + 7]!;
  for (; i < 148; i++) unsigned += h[i]!;
  for (i = 156; i < 508; i += 8)
    unsigned += h[i]! + h[i + 1]! + h[i + 2]! + h[i + 3]! + h[i + 4]! + h[i + 5]! + h[i + 6]! + h[i + 7]!;
  for (; i < 512; i++) unsigned += h[i]!;
  if (stored === unsigned) return true;
  // Some old writers summed signed bytes.
  let signed = 8 * 32;
  for (let j = 0; j < 512; j++) {
    if (j >= 148 && j < 156) continue;
    const b = h[j]!;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === signed;
}

function isZeroBlock(h: Buffer): boolean {
  for (let i = 0; i < 512; i++) if (h[i] !== 0) return false;
  return true;
}

interface PaxRecord {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  xattrs?: string[];
}

function parsePax(buf: Buffer, at: number): PaxRecord {
  const rec: PaxRecord = {};
  let i = 0;
  while (i < buf.length) {
    if (buf[i] === 0) break;
    const sp = buf.indexOf(32, i);
    if (sp < 0 || sp - i > 12) throw new TarFormatError('malformed pax header', at);
    const len = Number.parseInt(buf.toString('ascii', i, sp), 10);
    if (!Number.isFinite(len) || len <= sp - i + 1 || i + len > buf.length) {
      throw new TarFormatError('malformed pax record length', at);
    }
    const kv = buf.toString('utf8', sp + 1, i + len - 1);
    const eq = kv.indexOf('=');
    if (eq > 0) {
      const key = kv.slice(0, eq);
      const value = kv.slice(eq + 1);
      switch (key) {
        case 'path':
          rec.path = value;
          break;
        case 'linkpath':
          rec.linkpath = value;
          break;
        case 'size':
        case 'uid':
        case 'gid': {
          const n = Number(value);
          if (!Number.isSafeInteger(n) || n < 0) throw new TarFormatError(`absurd pax ${key}`, at);
          rec[key] = n;
          break;
        }
        case 'mtime':
          rec.mtime = Number(value) || 0;
          break;
        default:
          if (key.startsWith('SCHILY.xattr.')) {
            rec.xattrs = rec.xattrs ?? [];
            rec.xattrs.push(key.slice('SCHILY.xattr.'.length));
          }
      }
    }
    i += len;
  }
  return rec;
}

const TYPES: Record<number, EntryType> = {
  0: 'file',
  48: 'file',
  49: 'hardlink',
  50: 'symlink',
  51: 'char',
  52: 'block',
  53: 'dir',
  54: 'fifo',
  55: 'file',
};

/**
 * Push chunks in with `write`, then call `end`. Throws TarFormatError on malformed input.
 * `bytes` counts what was consumed (the uncompressed tar size).
 */
export class TarParser {
  bytes = 0;
  entries = 0;
  private state: State = State.Header;
  private header = Buffer.alloc(512);
  private headerFill = 0;
  private remaining = 0;
  private padding = 0;
  private dataOffset = 0;
  private sink: EntrySink | undefined;
  private metaKind = 0;
  private metaParts: Buffer[] = [];
  private metaFill = 0;
  private pax: PaxRecord | null = null;
  private globalPax: PaxRecord | null = null;
  private longName: string | null = null;
  private longLink: string | null = null;
  private zeroBlocks = 0;

  constructor(private readonly visitor: TarVisitor) {}

  get ended(): boolean {
    return this.state === State.End;
  }

  write(chunk: Buffer): void {
    let pos = 0;
    const len = chunk.length;
    while (pos < len) {
      switch (this.state) {
        case State.Header: {
          const need = 512 - this.headerFill;
          if (this.headerFill === 0 && len - pos >= 512) {
            // Whole header in place: parse without copying.
            this.bytes += 512;
            this.onHeader(chunk.subarray(pos, pos + 512));
            pos += 512;
          } else {
            const take = Math.min(need, len - pos);
            chunk.copy(this.header, this.headerFill, pos, pos + take);
            this.headerFill += take;
            pos += take;
            this.bytes += take;
            if (this.headerFill === 512) {
              this.headerFill = 0;
              this.onHeader(this.header);
            }
          }
          break;
        }
        case State.Data: {
          const take = Math.min(this.remaining, len - pos);
          if (this.sink) this.sink.data(chunk.subarray(pos, pos + take), this.dataOffset);
          this.dataOffset += take;
          this.remaining -= take;
          this.bytes += take;
          pos += take;
          if (this.remaining === 0) this.finishData();
          break;
        }
        case State.Meta: {
          const take = Math.min(this.remaining, len - pos);
          this.metaParts.push(Buffer.from(chunk.subarray(pos, pos + take)));
          this.metaFill += take;
          this.remaining -= take;
          this.bytes += take;
          pos += take;
          if (this.remaining === 0) this.finishMeta();
          break;
        }
        case State.Padding: {
          const take = Math.min(this.padding, len - pos);
          this.padding -= take;
          this.bytes += take;
          pos += take;
          if (this.padding === 0) this.state = State.Header;
          break;
        }
        case State.End:
          // Trailing zero padding after the end-of-archive marker (and any junk) is ignored.
          this.bytes += len - pos;
          return;
      }
    }
  }

  end(): void {
    if (this.state === State.End) return;
    if (this.state === State.Header && this.headerFill === 0 && (this.zeroBlocks > 0 || this.bytes === 0)) {
      this.state = State.End;
      return;
    }
    if (this.state === State.Padding && this.pax === null && this.longName === null) {
      // Some writers drop the final padding; the entry itself was complete.
      this.state = State.End;
      return;
    }
    if (this.state === State.Header && this.headerFill === 0 && this.pax === null && this.longName === null) {
      // No end-of-archive marker: tolerated (many writers omit it), every entry was complete.
      this.state = State.End;
      return;
    }
    throw new TarFormatError(
      this.state === State.Data
        ? `truncated tar: entry ends ${this.remaining} bytes early`
        : 'truncated tar: stream ends inside a header',
      this.bytes,
    );
  }

  private onHeader(h: Buffer): void {
    const at = this.bytes - 512;
    if (isZeroBlock(h)) {
      this.zeroBlocks++;
      if (this.zeroBlocks >= 2) this.state = State.End;
      return;
    }
    if (this.zeroBlocks > 0) this.zeroBlocks = 0;
    if (!checksumOk(h, at)) throw new TarFormatError('bad tar header checksum (not a tar, or corrupt)', at);
    const typeflag = h[156]!;
    let size = readNumber(h, 124, 12, at, 'size');

    // Metadata records that modify the next header.
    if (
      typeflag === 120 /* x */ ||
      typeflag === 103 /* g */ ||
      typeflag === 76 /* L */ ||
      typeflag === 75 /* K */
    ) {
      if (size > MAX_META) throw new TarFormatError(`absurd tar metadata record of ${size} bytes`, at);
      this.metaKind = typeflag;
      this.metaParts = [];
      this.metaFill = 0;
      this.remaining = size;
      this.padding = (512 - (size % 512)) % 512;
      if (size === 0) this.finishMeta();
      else this.state = State.Meta;
      return;
    }

    const ustar = h[257] === 117 && h[258] === 115 && h[259] === 116 && h[260] === 97 && h[261] === 114;
    const posix = ustar && h[262] === 0;
    let name = readString(h, 0, 100);
    if (posix && h[345] !== 0) name = `${readString(h, 345, 155)}/${name}`;
    let linkname = readString(h, 157, 100);
    let uid = readNumber(h, 108, 8, at, 'uid');
    let gid = readNumber(h, 116, 8, at, 'gid');
    let mtime = readNumber(h, 136, 12, at, 'mtime');
    let xattrs: string[] | undefined;

    const g = this.globalPax;
    if (g) {
      if (g.uid !== undefined) uid = g.uid;
      if (g.gid !== undefined) gid = g.gid;
    }
    if (this.longName !== null) name = this.longName;
    if (this.longLink !== null) linkname = this.longLink;
    const p = this.pax;
    if (p) {
      if (p.path !== undefined) name = p.path;
      if (p.linkpath !== undefined) linkname = p.linkpath;
      if (p.size !== undefined) size = p.size;
      if (p.uid !== undefined) uid = p.uid;
      if (p.gid !== undefined) gid = p.gid;
      if (p.mtime !== undefined) mtime = p.mtime;
      xattrs = p.xattrs;
    }
    this.pax = null;
    this.longName = null;
    this.longLink = null;

    let type: EntryType = TYPES[typeflag] ?? 'other';
    // Old tars mark directories only with a trailing slash.
    if (type === 'file' && name.endsWith('/')) type = 'dir';
    // Directories, links and devices carry no data even if the header claims some (GNU dumpdir aside).
    const hasData = type === 'file' || type === 'other';
    const dataSize = hasData ? size : 0;
    const { path, escapes } = normalizeEntryPath(name);
    const entry: TarEntry = {
      path,
      rawPath: name,
      type,
      size: type === 'file' ? size : 0,
      mode: readNumber(h, 100, 8, at, 'mode') & 0o7777,
      uid,
      gid,
      mtime,
      linkname: type === 'hardlink' ? normalizeEntryPath(linkname).path : linkname,
      escapes,
    };
    if (xattrs) entry.xattrs = xattrs;
    this.entries++;
    this.sink = this.visitor.entry(entry);
    this.remaining = dataSize;
    this.dataOffset = 0;
    this.padding = (512 - (dataSize % 512)) % 512;
    if (dataSize === 0) this.finishData();
    else this.state = State.Data;
  }

  private finishData(): void {
    const s = this.sink;
    this.sink = undefined;
    if (s) s.end();
    this.state = this.padding > 0 ? State.Padding : State.Header;
  }

  private finishMeta(): void {
    const buf =
      this.metaParts.length === 1 ? this.metaParts[0]! : Buffer.concat(this.metaParts, this.metaFill);
    this.metaParts = [];
    const at = this.bytes;
    switch (this.metaKind) {
      case 120:
        this.pax = parsePax(buf, at);
        break;
      case 103: {
        const g = parsePax(buf, at);
        // A global header's path would rename every entry: ignore it, keep ownership defaults.
        delete g.path;
        delete g.linkpath;
        delete g.size;
        this.globalPax = g;
        break;
      }
      case 76:
        this.longName = readString(buf, 0, buf.length);
        break;
      case 75:
        this.longLink = readString(buf, 0, buf.length);
        break;
    }
    this.state = this.padding > 0 ? State.Padding : State.Header;
  }
}
