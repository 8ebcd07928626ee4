import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { gzipFixed, type LayerEntry, normalizeEntries, tarLayer } from './tarlayer.js';

async function list(buf: Buffer): Promise<
  Array<{
    name: string;
    type: string;
    mode: number;
    uid: number;
    mtime: number;
    linkname: string | null;
    body: string;
  }>
> {
  const out: Array<{
    name: string;
    type: string;
    mode: number;
    uid: number;
    mtime: number;
    linkname: string | null;
    body: string;
  }> = [];
  const ex = tar.extract();
  const done = new Promise<void>((res, rej) => {
    ex.on('entry', (h, s, next) => {
      const chunks: Buffer[] = [];
      s.on('data', (c: unknown) => chunks.push(c as Buffer));
      s.on('end', () => {
        out.push({
          name: h.name,
          type: h.type ?? '',
          mode: h.mode ?? 0,
          uid: h.uid ?? 0,
          mtime: (h.mtime?.getTime() ?? 0) / 1000,
          linkname: h.linkname ?? null,
          body: Buffer.concat(chunks).toString(),
        });
        next();
      });
    });
    ex.on('finish', res);
    ex.on('error', rej);
  });
  ex.end(buf);
  await done;
  return out;
}

const files: LayerEntry[] = [
  { path: 'opt/venv/bin/python', type: 'symlink', mode: 0o777, linkname: '/usr/local/bin/python3' },
  { path: 'opt/venv/pyvenv.cfg', type: 'file', mode: 0o644, data: Buffer.from('home = /usr/local/bin\n') },
  { path: 'home/app', type: 'dir', mode: 0o755, uid: 10001, gid: 10001 },
];

describe('tarLayer', () => {
  it('writes every parent directory, sorted, with the fixed mtime and owners', async () => {
    const entries = await list(tarLayer(files, { mtime: 1700000000 }));
    expect(entries.map((e) => e.name)).toEqual([
      'home/',
      'home/app/',
      'opt/',
      'opt/venv/',
      'opt/venv/bin/',
      'opt/venv/bin/python',
      'opt/venv/pyvenv.cfg',
    ]);
    expect(entries.every((e) => e.mtime === 1700000000)).toBe(true);
    expect(entries.find((e) => e.name === 'home/app/')?.uid).toBe(10001);
    expect(entries.find((e) => e.name === 'opt/venv/bin/python')?.linkname).toBe('/usr/local/bin/python3');
  });

  it('gives the same bytes for the same entries in any order', () => {
    const ref = tarLayer(files, { mtime: 0 });
    fc.assert(
      fc.property(fc.shuffledSubarray(files, { minLength: files.length }), (order) => {
        expect(tarLayer(order, { mtime: 0 }).equals(ref)).toBe(true);
      }),
    );
  });

  it('keeps long paths and link targets through PAX records', async () => {
    const long = `opt/${'d'.repeat(120)}/${'f'.repeat(120)}.py`;
    const entries = await list(
      tarLayer(
        [
          { path: long, type: 'file', mode: 0o644, data: Buffer.from('x') },
          { path: 'l', type: 'symlink', mode: 0o777, linkname: `/${'t'.repeat(150)}` },
        ],
        { mtime: 0 },
      ),
    );
    expect(entries.map((e) => e.name)).toContain(long);
    expect(entries.find((e) => e.name === 'l')?.linkname).toBe(`/${'t'.repeat(150)}`);
  });

  it('never emits a directory for a top-level symlink of the base (merged /usr)', () => {
    const names = normalizeEntries(
      [{ path: 'lib/x86_64-linux-gnu/libx.so', type: 'file', mode: 0o644 }],
      ['lib'],
    ).map((e) => e.path);
    expect(names).toEqual(['lib/x86_64-linux-gnu', 'lib/x86_64-linux-gnu/libx.so']);
  });

  it('refuses paths that leave the layer', () => {
    expect(() => tarLayer([{ path: 'a/../../etc/passwd', type: 'file', mode: 0o644 }], { mtime: 0 })).toThrow(
      /clean relative path/,
    );
  });
});

describe('gzipFixed', () => {
  it('has a fixed header and round-trips', () => {
    const data = Buffer.from('hello '.repeat(1000));
    const gz = gzipFixed(data);
    expect([...gz.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    expect(gunzipSync(gz).equals(data)).toBe(true);
    expect(createHash('sha256').update(gzipFixed(data)).digest('hex')).toBe(
      createHash('sha256').update(gz).digest('hex'),
    );
  });
});
