import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { type Compression, type DecompressLimits, DecompressMaybe } from './decompress.js';
import { ElfCollector, type ElfInfo } from './elf.js';
import { type EntrySink, type EntryType, type TarEntry, TarFormatError, TarParser } from './tar.js';

/** One entry of one layer, as much as the squash and the findings need (never the content). */
export interface LayerEntry {
  path: string;
  type: EntryType;
  /** Content bytes: file size, or the symlink target length (what `du --apparent-size` and docker count). */
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  /** 'file' = `.wh.<name>` deleting `path`; 'opaque' = `.wh..wh..opq` hiding lower children of `path`. */
  whiteout?: 'file' | 'opaque';
  /** Cheap content fingerprint of regular files (size + CRC-32 of the first and last 64 KiB). */
  fp?: number;
  /** Captured content of the few files the analysis reads (RECORD, pyvenv.cfg, /etc/passwd, ...). */
  content?: Buffer;
  elf?: ElfInfo;
  xattrs?: string[];
}

export interface LayerScan {
  entries: LayerEntry[];
  /** Uncompressed tar bytes. */
  tarSize: number;
  /** Bytes read from the blob (compressed size). */
  blobSize: number;
  compression: Compression;
  /** Content bytes (Σ entry sizes, hard links once): what docker history reports. */
  size: number;
  files: number;
  warnings: string[];
}

export interface ScanOptions {
  limits?: DecompressLimits;
  /** Name used in error messages (the blob path or digest). */
  name?: string;
}

// Enough to tell a chown copy from a rewrite; hashing whole files would cost more than the tar parse.
const FP_SPAN = 4 * 1024;

/** Paths whose content we keep, with a per-file cap. */
export function captureLimit(path: string): number {
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  const dir = slash >= 0 ? path.slice(0, slash) : '';
  if (dir.endsWith('.dist-info') || dir.endsWith('.egg-info') || dir.endsWith('.DIST-INFO')) {
    if (base === 'RECORD' || base === 'installed-files.txt') return 16 << 20;
    if (base === 'top_level.txt' || base === 'INSTALLER' || base === 'direct_url.json') return 64 << 10;
    if (base === 'METADATA' || base === 'PKG-INFO') return 16 << 10;
  }
  if (base.endsWith('.egg-info') && !dir.endsWith('.egg-info')) return 16 << 10;
  if (base === 'pyvenv.cfg') return 64 << 10;
  switch (path) {
    case 'etc/passwd':
    case 'etc/group':
      return 1 << 20;
    case 'etc/ld.so.conf':
    case 'etc/os-release':
    case 'usr/lib/os-release':
      return 64 << 10;
    case 'etc/ld.so.cache':
      return 8 << 20;
    case 'var/lib/dpkg/status':
      return 48 << 20;
  }
  if (dir === 'etc/ld.so.conf.d') return 64 << 10;
  if (dir === 'var/lib/dpkg/status.d') return 1 << 20;
  if (dir === 'etc' && base.startsWith('ld-musl-') && base.endsWith('.path')) return 64 << 10;
  return 0;
}

const PY_TREE =
  /(?:^|\/)(?:site-packages|dist-packages|lib-dynload|\.?venv)(?:\/|$)|(?:^|\/)lib\/python\d|(?:^|\/)bin\/python[\d.]*$/;

/** ELF parsing depth: 'dynamic' for binaries under Python trees, 'header' for any other library candidate. */
export function elfMode(path: string, mode: number, size: number): 'dynamic' | 'header' | null {
  if (size < 52) return null;
  const base = path.slice(path.lastIndexOf('/') + 1);
  const soLike = base.endsWith('.so') || base.includes('.so.');
  const exec = (mode & 0o111) !== 0;
  if (PY_TREE.test(path) && (soLike || exec)) return 'dynamic';
  if (soLike) return 'header';
  return null;
}

class CaptureSink implements EntrySink {
  parts: Buffer[] = [];
  fill = 0;
  constructor(private readonly cap: number) {}
  data(chunk: Buffer): void {
    if (this.fill >= this.cap) return;
    const take = Math.min(chunk.length, this.cap - this.fill);
    this.parts.push(Buffer.from(chunk.subarray(0, take)));
    this.fill += take;
  }
  end(): void {}
  result(): Buffer {
    return Buffer.concat(this.parts, this.fill);
  }
}

/** Per regular file: the fingerprint, plus a capture and an ELF reader when the path calls for them. */
class FileSink implements EntrySink {
  crc = 0;
  capture: CaptureSink | null = null;
  elf: ElfCollector | null = null;
  constructor(
    private readonly size: number,
    private readonly rec: LayerEntry,
  ) {}
  data(chunk: Buffer, offset: number): void {
    const size = this.size;
    if (size <= 2 * FP_SPAN) this.crc = zlib.crc32(chunk, this.crc);
    else {
      if (offset < FP_SPAN) this.crc = zlib.crc32(chunk.subarray(0, FP_SPAN - offset), this.crc);
      const tail = size - FP_SPAN;
      if (offset + chunk.length > tail)
        this.crc = zlib.crc32(chunk.subarray(Math.max(0, tail - offset)), this.crc);
    }
    if (this.capture) this.capture.data(chunk);
    if (this.elf) this.elf.data(chunk, offset);
  }
  end(): void {
    const r = this.rec;
    r.fp = this.crc;
    if (this.capture) r.content = this.capture.result();
    if (this.elf) {
      this.elf.end();
      if (this.elf.result) r.elf = this.elf.result;
    }
  }
}

/** Builds LayerEntry records from tar entries; shared by the streaming scanner and tests. */
export class LayerCollector {
  readonly entries: LayerEntry[] = [];
  readonly warnings: string[] = [];
  size = 0;
  files = 0;

  entry(e: TarEntry): EntrySink | undefined {
    if (e.escapes) this.warnings.push(`entry name climbs above the root, clamped: ${e.rawPath}`);
    const slash = e.path.lastIndexOf('/');
    const base = e.path.slice(slash + 1);
    const dir = slash >= 0 ? e.path.slice(0, slash) : '';
    if (base.startsWith('.wh.')) {
      if (base === '.wh..wh..opq') {
        this.entries.push(rec(dir, 'dir', 0, e, 'opaque'));
      } else if (base.startsWith('.wh..wh.')) {
        // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not part of the image content.
      } else if (base === '.wh.') {
        this.warnings.push(`invalid bare whiteout ignored: ${e.rawPath}`);
      } else {
        const target = dir ? `${dir}/${base.slice(4)}` : base.slice(4);
        this.entries.push(rec(target, 'other', 0, e, 'file'));
      }
      return undefined;
    }
    if (e.path === '' && e.type !== 'dir') {
      this.warnings.push(`entry with an empty name ignored: ${JSON.stringify(e.rawPath)}`);
      return undefined;
    }
    let size = 0;
    if (e.type === 'file') size = e.size;
    else if (e.type === 'symlink') size = Buffer.byteLength(e.linkname);
    const r = rec(e.path, e.type, size, e, undefined);
    this.entries.push(r);
    if (e.type !== 'dir') this.files++;
    if (e.type === 'hardlink') return undefined;
    this.size += size;
    if (e.type !== 'file' || e.size === 0) return undefined;

    const sink = new FileSink(e.size, r);
    const cap = captureLimit(e.path);
    if (cap > 0) sink.capture = new CaptureSink(cap);
    const em = elfMode(e.path, e.mode, e.size);
    if (em) sink.elf = new ElfCollector(e.size, em === 'dynamic');
    return sink;
  }
}

function rec(
  path: string,
  type: EntryType,
  size: number,
  e: TarEntry,
  whiteout: LayerEntry['whiteout'],
): LayerEntry {
  const r: LayerEntry = { path, type, size, mode: e.mode, uid: e.uid, gid: e.gid, linkname: e.linkname };
  if (whiteout) r.whiteout = whiteout;
  if (e.xattrs) r.xattrs = e.xattrs;
  return r;
}

/**
 * Scan one layer blob in a single streaming pass: decompress (sniffed), parse the tar, and keep the
 * entry metadata plus the few captures the analysis needs. Memory is bounded by the entry count.
 */
export async function scanLayer(
  source: Readable | AsyncIterable<Buffer>,
  opts: ScanOptions = {},
): Promise<LayerScan> {
  const collector = new LayerCollector();
  const parser = new TarParser(collector);
  const dm = new DecompressMaybe(opts.limits);
  const name = opts.name ?? 'layer';
  const sink = new Writable({
    highWaterMark: 256 << 10,
    write(chunk: Buffer, _enc, cb) {
      try {
        if (!parser.ended) parser.write(chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    final(cb) {
      try {
        parser.end();
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  try {
    const src = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
    await pipeline(src, dm, sink);
  } catch (err) {
    const e = err as Error;
    const where = e instanceof TarFormatError ? ` at byte ${e.offset}` : '';
    throw new LayerError(`${name}: ${e.message}${where}`, name);
  }
  return {
    entries: collector.entries,
    tarSize: parser.bytes,
    blobSize: dm.bytesIn,
    compression: dm.compression ?? 'none',
    size: collector.size,
    files: collector.files,
    warnings: collector.warnings,
  };
}

/**
 * Fast path for blobs already known to be uncompressed (docker save of the classic store): chunks go
 * straight into the tar parser, without a stream pipeline per layer.
 */
export async function scanPlainLayer(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
  opts: ScanOptions = {},
): Promise<LayerScan> {
  const collector = new LayerCollector();
  const parser = new TarParser(collector);
  const name = opts.name ?? 'layer';
  let bytes = 0;
  try {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      if (!parser.ended) parser.write(chunk);
    }
    parser.end();
  } catch (err) {
    const e = err as Error;
    const where = e instanceof TarFormatError ? ` at byte ${e.offset}` : '';
    throw new LayerError(`${name}: ${e.message}${where}`, name);
  }
  return {
    entries: collector.entries,
    tarSize: parser.bytes,
    blobSize: bytes,
    compression: 'none',
    size: collector.size,
    files: collector.files,
    warnings: collector.warnings,
  };
}

export class LayerError extends Error {
  constructor(
    message: string,
    public readonly blob: string,
  ) {
    super(message);
    this.name = 'LayerError';
  }
}
