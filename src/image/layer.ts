import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import {
  type Compression,
  DecompressionLimitError,
  type DecompressLimits,
  sniffCompression,
  zstdDecoder,
} from './decompress.js';
import { ElfCollector, type ElfInfo } from './elf.js';
import type { BlobHasher, DigestAlgorithm } from './hasher.js';
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
  /** Digest computed while reading ('alg:hex'), and over which bytes. */
  digest?: string;
  digestOf?: 'stored' | 'tar';
}

// Enough to tell a chown copy from a rewrite; hashing whole files would cost more than the tar parse.
const FP_SPAN = 4 * 1024;

/** Paths whose content we keep, with a per-file cap. */
export function captureLimit(path: string): number {
  // Cheap rejection of the common case (every regular file of every layer comes here).
  if (
    !path.includes('-info/') &&
    !path.includes('-INFO/') &&
    !path.endsWith('-info') &&
    !path.endsWith('pyvenv.cfg') &&
    !path.startsWith('etc/') &&
    !path.startsWith('var/lib/dpkg/') &&
    path !== 'usr/lib/os-release'
  )
    return 0;
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
  if ((soLike || exec) && PY_TREE.test(path)) return 'dynamic';
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
    // Slices only for the rare whiteout: most entries need neither base nor dir.
    if (e.path.startsWith('.wh.', slash + 1)) {
      const base = e.path.slice(slash + 1);
      const dir = slash >= 0 ? e.path.slice(0, slash) : '';
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

/** How one blob is read: what to hash, whether to parse the tar at all. */
export interface ScanOptions {
  limits?: DecompressLimits;
  /** Name used in error messages (the blob path or digest). */
  name?: string;
  /**
   * Digest to compute while reading: over the stored bytes ('stored': OCI descriptors) or over the
   * uncompressed tar ('tar': docker-archive diff_ids). Absent: no digest.
   */
  hash?: { of: 'stored' | 'tar'; alg: DigestAlgorithm; hasher: BlobHasher };
  /** Decompress and discard without parsing (the benchmark's raw-read baseline). */
  discard?: boolean;
  /**
   * The source hands out the same buffers again once the next chunk is asked for (fileChunks): a
   * chunk given to the decompressor must then be consumed before reading on, or copied.
   */
  reusedBuffers?: boolean;
}

/** Read size for blobs and archives: per-read overhead dominates below ~1 MiB on a page-cached file. */
export const READ_SIZE = 1 << 20;

const DEFAULT_LIMITS: Required<DecompressLimits> = {
  maxBytes: 64 * 2 ** 30,
  maxRatio: 200,
  ratioFloor: 256 * 2 ** 20,
};

interface BlobRead {
  compression: Compression;
  blobSize: number;
  tarSize: number;
  digest?: string;
}

/**
 * The one streaming pass over a blob: sniff the compression, decompress, hand uncompressed bytes to
 * `onTar`, hash the chosen side. With a decompressor, `onTar` runs in a microtask after the
 * decompressor's callback has already queued the next block to the threadpool, so inflating and
 * parsing overlap instead of alternating.
 */
export async function readBlob(
  source: AsyncIterable<Buffer>,
  onTar: ((chunk: Buffer) => void) | null,
  opts: ScanOptions = {},
): Promise<BlobRead> {
  const limits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
  const dg = opts.hash ? opts.hash.hasher.start(opts.hash.alg) : null;
  const hashStored = dg && opts.hash!.of === 'stored' ? dg : null;
  const hashTar = dg && opts.hash!.of === 'tar' ? dg : null;
  const hasher = opts.hash?.hasher;
  let blobSize = 0;
  let tarSize = 0;
  let compression: Compression | undefined;
  let inner: Transform | null = null;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const fail = (e: Error) => {
    if (failure) return;
    failure = e;
    inner?.destroy();
    wake?.();
  };
  const checkLimits = () => {
    if (tarSize > limits.maxBytes) {
      fail(new DecompressionLimitError(`layer decompresses to more than ${limits.maxBytes} bytes`));
    } else if (
      compression !== 'none' &&
      tarSize > limits.ratioFloor &&
      tarSize > blobSize * limits.maxRatio
    ) {
      fail(
        new DecompressionLimitError(
          `decompression bomb: ${blobSize} compressed bytes expand to more than ${tarSize} (ratio > ${limits.maxRatio})`,
        ),
      );
    }
  };
  // Output of the decompressor, consumed in a microtask (see above).
  let queue: Buffer[] = [];
  let scheduled = false;
  const drainQueue = () => {
    scheduled = false;
    const q = queue;
    queue = [];
    if (failure) return;
    try {
      for (let i = 0; i < q.length; i++) {
        const b = q[i]!;
        if (hashTar) hashTar.update(b);
        if (onTar) onTar(b);
      }
    } catch (err) {
      fail(err as Error);
    }
  };
  const waitInner = (ev: 'drain' | 'end') =>
    new Promise<void>((resolve) => {
      const done = () => {
        inner!.off(ev, done);
        inner!.off('error', done);
        wake = null;
        resolve();
      };
      wake = done;
      inner!.on(ev, done);
      inner!.on('error', done);
    });

  const head: Buffer[] = [];
  let headLen = 0;
  const start = (first: Buffer) => {
    compression = sniffCompression(first);
    if (compression === 'none') return;
    const z = compression === 'gzip' ? zlib.createGunzip({ chunkSize: 256 << 10 }) : zstdDecoder();
    inner = z;
    z.on('data', (b: Buffer) => {
      tarSize += b.length;
      checkLimits();
      queue.push(b);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(drainQueue);
      }
    });
    z.on('error', (e: Error) => fail(new Error(`${compression}: ${e.message}`)));
  };
  const feed = async (chunk: Buffer) => {
    blobSize += chunk.length;
    if (hashStored) hashStored.update(chunk);
    if (compression === 'none') {
      tarSize += chunk.length;
      checkLimits();
      if (hashTar) hashTar.update(chunk);
      if (onTar) onTar(chunk);
    } else if (opts.reusedBuffers && compression === 'gzip') {
      // zlib calls back once all of the chunk has been inflated: only then may the buffer be refilled.
      await new Promise<void>((resolve) => {
        wake = resolve;
        inner!.write(chunk, () => resolve());
      });
      wake = null;
    } else if (!inner!.write(opts.reusedBuffers ? Buffer.from(chunk) : chunk) && !failure)
      await waitInner('drain');
    const r = hasher?.room();
    if (r) await r;
  };

  try {
    for await (const chunk of source) {
      if (failure) break;
      if (compression === undefined) {
        head.push(chunk);
        headLen += chunk.length;
        if (headLen < 4) continue;
        const first = head.length === 1 ? head[0]! : Buffer.concat(head, headLen);
        head.length = 0;
        start(first);
        await feed(first);
      } else await feed(chunk);
    }
    if (!failure && compression === undefined) {
      // Fewer than four bytes in all: plain (an empty or tiny blob).
      const first = Buffer.concat(head, headLen);
      compression = 'none';
      if (first.length) await feed(first);
    }
    if (inner && !failure) {
      const ended = waitInner('end');
      (inner as Transform).end();
      await ended;
      // The last 'data' may still sit in the microtask queue.
      if (scheduled) drainQueue();
    }
  } catch (err) {
    fail(err as Error);
  }
  if (failure) {
    (inner as Transform | null)?.destroy();
    if (dg) dg.digest().catch(() => {});
    throw failure;
  }
  const out: BlobRead = { compression: compression ?? 'none', blobSize, tarSize };
  if (dg) out.digest = await dg.digest();
  return out;
}

/**
 * Scan one layer blob in a single streaming pass: decompress (sniffed), parse the tar, and keep the
 * entry metadata plus the few captures the analysis needs. Memory is bounded by the entry count.
 */
export async function scanLayer(
  source: Readable | AsyncIterable<Buffer>,
  opts: ScanOptions = {},
): Promise<LayerScan> {
  const name = opts.name ?? 'layer';
  const collector = opts.discard ? null : new LayerCollector();
  const parser = collector ? new TarParser(collector) : null;
  let r: BlobRead;
  try {
    r = await readBlob(
      source,
      parser
        ? (chunk) => {
            if (!parser.ended) parser.write(chunk);
          }
        : null,
      opts,
    );
    parser?.end();
  } catch (err) {
    const e = err as Error;
    const where = e instanceof TarFormatError ? ` at byte ${e.offset}` : '';
    throw new LayerError(`${name}: ${e.message}${where}`, name);
  }
  const scan: LayerScan = {
    entries: collector?.entries ?? [],
    tarSize: parser ? parser.bytes : r.tarSize,
    blobSize: r.blobSize,
    compression: r.compression,
    size: collector?.size ?? 0,
    files: collector?.files ?? 0,
    warnings: collector?.warnings ?? [],
  };
  if (r.digest && opts.hash) {
    scan.digest = r.digest;
    scan.digestOf = opts.hash.of;
  }
  return scan;
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
