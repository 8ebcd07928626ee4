import { spawn, spawnSync } from 'node:child_process';
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress as FzstdDecompress } from 'fzstd';

/** Layer compression, told by magic bytes: media types lie or are generic. */
export type Compression = 'gzip' | 'zstd' | 'none';

export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
    return 'zstd';
  return 'none';
}

export interface DecompressLimits {
  /** Most uncompressed bytes one layer may produce (default 64 GiB). */
  maxBytes?: number;
  /** Most output/input ratio once past `ratioFloor` bytes (default 200: real layers stay far below). */
  maxRatio?: number;
  /** Output size below which the ratio is not checked (default 256 MiB). */
  ratioFloor?: number;
}

export class DecompressionLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecompressionLimitError';
  }
}

const DEFAULT_LIMITS: Required<DecompressLimits> = {
  maxBytes: 64 * 2 ** 30,
  maxRatio: 200,
  ratioFloor: 256 * 2 ** 20,
};

let zstdBinary: boolean | undefined;
/** The zstd CLI is about ten times faster than fzstd; Node 20 has no zstd in zlib. */
function haveZstdBinary(): boolean {
  if (zstdBinary === undefined) {
    if (process.env.PYCONTAIN_NO_ZSTD_BINARY) zstdBinary = false;
    else {
      const r = spawnSync('zstd', ['--version'], { stdio: 'ignore' });
      zstdBinary = r.status === 0;
    }
  }
  return zstdBinary;
}

/** fzstd in a Transform: input is fed in slices so one push cannot expand without bound. */
export class FzstdTransform extends Transform {
  private d: FzstdDecompress;
  constructor() {
    super();
    this.d = new FzstdDecompress((chunk) => {
      if (chunk.length) this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      for (let i = 0; i < chunk.length; i += 65536) this.d.push(chunk.subarray(i, i + 65536));
      cb();
    } catch (err) {
      cb(new Error(`zstd: ${(err as Error).message}`));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.d.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(new Error(`zstd: ${(err as Error).message}`));
    }
  }
}

/** `zstd -dc` as a Transform, with backpressure from both pipes. */
class ZstdProcessTransform extends Transform {
  private child = spawn('zstd', ['-dcq'], { stdio: ['pipe', 'pipe', 'pipe'] });
  private stderr = '';
  private exited: Promise<number | null>;
  constructor() {
    super();
    this.child.stdout.on('data', (b: Buffer) => {
      if (!this.push(b)) this.child.stdout.pause();
    });
    this.child.stderr.on('data', (b: Buffer) => {
      if (this.stderr.length < 2000) this.stderr += b.toString();
    });
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code) => resolve(code));
      this.child.on('error', () => resolve(-1));
    });
  }
  override _read(size: number): void {
    this.child.stdout.resume();
    super._read(size);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.child.stdin.write(chunk)) cb();
    else this.child.stdin.once('drain', () => cb());
  }
  override _flush(cb: TransformCallback): void {
    this.child.stdin.end();
    this.exited.then((code) => {
      if (code === 0) cb();
      else cb(new Error(`zstd: ${this.stderr.trim() || `exit code ${code}`}`));
    });
  }
  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.child.kill();
    cb(err);
  }
}

export function zstdDecoder(): Transform {
  const z = zlib as unknown as { createZstdDecompress?: () => Transform };
  if (typeof z.createZstdDecompress === 'function') return z.createZstdDecompress();
  if (haveZstdBinary()) return new ZstdProcessTransform();
  return new FzstdTransform();
}

/**
 * A Transform that sniffs gzip / zstd / plain from the first bytes and decompresses accordingly,
 * with backpressure (the inner decoder is paused while our readable side is full) and a bomb guard.
 */
export class DecompressMaybe extends Transform {
  compression: Compression | undefined;
  bytesIn = 0;
  bytesOut = 0;
  private head: Buffer[] = [];
  private headLen = 0;
  private inner: Transform | null = null;
  private innerDone: Promise<void> | null = null;
  private limits: Required<DecompressLimits>;
  private failed = false;

  constructor(limits: DecompressLimits = {}) {
    super();
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  private emit_(chunk: Buffer): boolean {
    this.bytesOut += chunk.length;
    const l = this.limits;
    if (this.bytesOut > l.maxBytes) {
      this.fail(`layer decompresses to more than ${l.maxBytes} bytes`);
      return false;
    }
    if (
      this.compression !== 'none' &&
      this.bytesOut > l.ratioFloor &&
      this.bytesOut > this.bytesIn * l.maxRatio
    ) {
      this.fail(
        `decompression bomb: ${this.bytesIn} compressed bytes expand to more than ${this.bytesOut} (ratio > ${l.maxRatio})`,
      );
      return false;
    }
    return this.push(chunk);
  }

  private fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.inner?.destroy();
    this.destroy(new DecompressionLimitError(message));
  }

  private start(): void {
    const head = Buffer.concat(this.head, this.headLen);
    this.head = [];
    this.compression = sniffCompression(head);
    if (this.compression !== 'none') {
      const inner = this.compression === 'gzip' ? zlib.createGunzip({ chunkSize: 64 * 1024 }) : zstdDecoder();
      this.inner = inner;
      inner.on('data', (b: Buffer) => {
        if (!this.emit_(b)) inner.pause();
      });
      this.innerDone = new Promise((resolve, reject) => {
        inner.on('end', resolve);
        inner.on('error', (err) => reject(err));
      });
      this.innerDone.catch(() => {});
    }
  }

  override _read(size: number): void {
    if (this.inner?.isPaused() && !this.failed) this.inner.resume();
    super._read(size);
  }

  private forward(chunk: Buffer, cb: TransformCallback): void {
    if (this.compression === 'none') {
      this.emit_(chunk);
      cb();
      return;
    }
    const inner = this.inner!;
    let called = false;
    const done = (err?: Error | null) => {
      if (called) return;
      called = true;
      inner.off('error', onErr);
      cb(err ?? undefined);
    };
    const onErr = (err: Error) => done(err);
    inner.once('error', onErr);
    if (inner.write(chunk)) done();
    else inner.once('drain', () => done());
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytesIn += chunk.length;
    if (this.compression === undefined) {
      this.head.push(chunk);
      this.headLen += chunk.length;
      if (this.headLen < 4) {
        cb();
        return;
      }
      const buffered = Buffer.concat(this.head, this.headLen);
      this.start();
      this.forward(buffered, cb);
      return;
    }
    this.forward(chunk, cb);
  }

  override _flush(cb: TransformCallback): void {
    if (this.compression === undefined) {
      // Fewer than four bytes in all: plain (an empty or tiny blob).
      const buffered = Buffer.concat(this.head, this.headLen);
      this.start();
      if (buffered.length) this.emit_(buffered);
      cb();
      return;
    }
    if (!this.inner) {
      cb();
      return;
    }
    this.inner.end();
    this.innerDone!.then(
      () => cb(),
      (err: Error) => cb(new Error(`${this.compression}: ${err.message}`)),
    );
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.inner?.destroy();
    cb(err);
  }
}
