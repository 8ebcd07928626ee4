/**
 * The content-addressed cache: blobs by sha256 (wheels, base blobs, layer blobs), layer recipes
 * (input key -> the layer's diff_id and blob descriptor) and base facts by config digest. A layer
 * whose inputs did not change is taken from here, never rebuilt.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'pycontain', 'pack');
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export class Store {
  constructor(readonly dir: string) {}

  blobPath(digest: string): string {
    const [alg, hex] = digest.split(':');
    if (alg !== 'sha256' || !/^[0-9a-f]{64}$/.test(hex ?? ''))
      throw new Error(`not a sha256 digest: ${digest}`);
    return path.join(this.dir, 'blobs', 'sha256', hex as string);
  }

  async has(digest: string): Promise<boolean> {
    try {
      await fsp.access(this.blobPath(digest));
      return true;
    } catch {
      return false;
    }
  }

  private async tmp(): Promise<string> {
    const d = path.join(this.dir, 'tmp');
    await fsp.mkdir(d, { recursive: true });
    return path.join(d, randomBytes(8).toString('hex'));
  }

  async putBuffer(data: Buffer): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    if (await this.has(digest)) return digest;
    const t = await this.tmp();
    await fsp.writeFile(t, data);
    await this.commit(t, digest);
    return digest;
  }

  /** Stream into the store; when `expect` is given a mismatch is refused and nothing is kept. */
  async putStream(src: Readable, expect?: string): Promise<{ digest: string; size: number }> {
    const t = await this.tmp();
    const h = createHash('sha256');
    let size = 0;
    src.on('data', (c: Buffer) => {
      h.update(c);
      size += c.length;
    });
    await pipeline(src, createWriteStream(t));
    const digest = `sha256:${h.digest('hex')}`;
    if (expect && expect !== digest) {
      await fsp.rm(t, { force: true });
      throw new Error(`blob digest mismatch: expected ${expect}, got ${digest}`);
    }
    await this.commit(t, digest);
    return { digest, size };
  }

  private async commit(tmp: string, digest: string): Promise<void> {
    const dest = this.blobPath(digest);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.chmod(tmp, 0o644);
    await fsp.rename(tmp, dest);
  }

  read(digest: string): Promise<Buffer> {
    return fsp.readFile(this.blobPath(digest));
  }

  stream(digest: string): Readable {
    return createReadStream(this.blobPath(digest));
  }

  private metaPath(kind: string, key: string): string {
    return path.join(this.dir, kind, `${key.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  }

  async getMeta<T>(kind: string, key: string): Promise<T | null> {
    try {
      return JSON.parse(await fsp.readFile(this.metaPath(kind, key), 'utf8')) as T;
    } catch {
      return null;
    }
  }

  async putMeta(kind: string, key: string, value: unknown): Promise<void> {
    const p = this.metaPath(kind, key);
    await fsp.mkdir(path.dirname(p), { recursive: true });
    const t = await this.tmp();
    await fsp.writeFile(t, JSON.stringify(value));
    await fsp.rename(t, p);
  }
}
