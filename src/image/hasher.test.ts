import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytes } from './__fixtures__/tars.js';
import { BlobHasher, digestAlgorithm, digestOf, sharedHasher } from './hasher.js';

const sha = (alg: string, b: Buffer) => `${alg}:${createHash(alg).update(b).digest('hex')}`;

describe('BlobHasher', () => {
  it('gives the digest of the bytes for any chunking, several blobs interleaved, sha256 and sha512', async () => {
    const h = new BlobHasher();
    const blobs = [bytes(5 << 20, 1), bytes(1, 2), bytes(0, 3), bytes((3 << 20) + 17, 4)];
    const algs = ['sha256', 'sha512', 'sha256', 'sha512'] as const;
    const ds = blobs.map((_, i) => h.start(algs[i]!));
    // Odd chunk sizes, blobs interleaved, the backpressure awaited as the readers do.
    const pos = blobs.map(() => 0);
    for (let step = 1; pos.some((p, i) => p < blobs[i]!.length); step++) {
      for (const [i, b] of blobs.entries()) {
        const n = Math.min(b.length - pos[i]!, (step * 7919) % 300_000);
        ds[i]!.update(b.subarray(pos[i]!, pos[i]! + n));
        pos[i]! += n;
      }
      await h.room();
    }
    expect(await Promise.all(ds.map((d) => d.digest()))).toEqual(blobs.map((b, i) => sha(algs[i]!, b)));
    await h.close();
  });

  it('copies what it is given: the caller may overwrite a chunk as soon as update returns', async () => {
    const h = sharedHasher();
    const d = h.start('sha256');
    const buf = Buffer.alloc(300_000);
    const whole: Buffer[] = [];
    for (let i = 0; i < 10; i++) {
      buf.fill(i);
      d.update(buf);
      whole.push(Buffer.from(buf));
    }
    expect(await d.digest()).toBe(sha('sha256', Buffer.concat(whole)));
    expect(sharedHasher()).toBe(h);
  });

  it('inline mode and the helpers', async () => {
    const d = new BlobHasher(true).start('sha512');
    d.update(Buffer.from('abc'));
    expect(await d.digest()).toBe(sha('sha512', Buffer.from('abc')));
    expect(digestOf(Buffer.from('x'), 'sha256')).toBe(sha('sha256', Buffer.from('x')));
    expect(digestAlgorithm(sha('sha256', Buffer.from('x')))).toBe('sha256');
    expect(digestAlgorithm('sha256:abc')).toBeNull();
    expect(digestAlgorithm(undefined)).toBeNull();
  });
});
