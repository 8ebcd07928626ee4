import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, type FixtureEntry, gz, makeTar } from './__fixtures__/tars.js';
import { type LayerScan, scanLayer } from './layer.js';
import { lookup, type SquashResult, squash, type WasteRecord } from './squash.js';

async function layers(...specs: FixtureEntry[][]): Promise<LayerScan[]> {
  const out: LayerScan[] = [];
  for (const s of specs) out.push(await scanLayer(Readable.from([await makeTar(s)])));
  return out;
}

async function run(...specs: FixtureEntry[][]): Promise<SquashResult & { scans: LayerScan[] }> {
  const scans = await layers(...specs);
  const r = squash(scans.map((s) => s.entries));
  // The exact identity holds for every case.
  const waste = r.waste.reduce((a, w) => a + w.size, 0);
  expect(r.totalBytes).toBe(scans.reduce((a, s) => a + s.size, 0));
  expect(r.visibleBytes + waste).toBe(r.totalBytes);
  return { ...r, scans };
}

const pick = (w: WasteRecord[]) =>
  w.map(({ path, size, cause, addedBy, hiddenBy }) => ({ path, size, cause, addedBy, hiddenBy }));

describe('squash: exact waste with OCI layer semantics', () => {
  it('a file overwritten twice: both earlier copies are overwritten waste', async () => {
    const r = await run(
      [{ name: 'app/f', content: bytes(100, 1) }],
      [{ name: 'app/f', content: bytes(200, 2) }],
      [{ name: 'app/f', content: bytes(300, 3) }],
    );
    expect(r.visibleBytes).toBe(300);
    expect(pick(r.waste)).toEqual([
      { path: 'app/f', size: 100, cause: 'overwritten', addedBy: 0, hiddenBy: 1 },
      { path: 'app/f', size: 200, cause: 'overwritten', addedBy: 1, hiddenBy: 2 },
    ]);
  });

  it('a file deleted later by a whiteout', async () => {
    const r = await run(
      [
        { name: 'tmp/big', content: bytes(1000) },
        { name: 'keep', content: 'k' },
      ],
      [{ name: 'tmp/.wh.big', content: '' }],
    );
    expect(lookup(r.root, 'tmp/big')).toBeNull();
    expect(pick(r.waste)).toEqual([
      { path: 'tmp/big', size: 1000, cause: 'deleted', addedBy: 0, hiddenBy: 1 },
    ]);
  });

  it('a directory deleted later counts every file under it (dive counts 0 here)', async () => {
    const r = await run(
      [
        { name: 'root/.cache/pip/http/a', content: bytes(500) },
        { name: 'root/.cache/pip/http/b', content: bytes(700) },
        { name: 'root/.cache/pip/wheels/c.whl', content: bytes(300) },
      ],
      [{ name: 'root/.cache/.wh.pip', content: '' }],
    );
    expect(r.visibleBytes).toBe(0);
    expect(
      r.waste.every((w) => w.cause === 'deleted' && w.root === 'root/.cache/pip' && w.hiddenBy === 1),
    ).toBe(true);
    expect(r.waste.reduce((a, w) => a + w.size, 0)).toBe(1500);
  });

  it('an opaque directory hides lower children even when the marker comes after its siblings', async () => {
    const r = await run(
      [
        { name: 'opt/app/old1', content: bytes(400) },
        { name: 'opt/app/sub/old2', content: bytes(600) },
        { name: 'opt/other', content: bytes(50) },
      ],
      [
        { name: 'opt/app/' },
        { name: 'opt/app/new', content: bytes(10) },
        { name: 'opt/app/.wh..wh..opq', content: '' },
      ],
    );
    expect(lookup(r.root, 'opt/app/new')).not.toBeNull();
    expect(lookup(r.root, 'opt/app/old1')).toBeNull();
    expect(lookup(r.root, 'opt/app/sub')).toBeNull();
    expect(r.visibleBytes).toBe(60);
    expect(new Set(r.waste.map((w) => w.cause))).toEqual(new Set(['opaque']));
    expect(r.waste.reduce((a, w) => a + w.size, 0)).toBe(1000);
  });

  it('a whiteout does not hide what its own layer adds', async () => {
    const r = await run(
      [{ name: 'x', content: bytes(10) }],
      [
        { name: 'x', content: bytes(20) },
        { name: '.wh.x', content: '' },
      ],
    );
    expect(lookup(r.root, 'x')?.inode?.size).toBe(20);
    expect(pick(r.waste)).toEqual([{ path: 'x', size: 10, cause: 'deleted', addedBy: 0, hiddenBy: 1 }]);
  });

  it('a file replacing a directory removes the lower subtree', async () => {
    const r = await run(
      [
        { name: 'data/a', content: bytes(100) },
        { name: 'data/b/c', content: bytes(200) },
      ],
      [{ name: 'data', content: bytes(5) }],
    );
    expect(lookup(r.root, 'data')?.type).toBe('file');
    expect(r.waste.reduce((a, w) => a + w.size, 0)).toBe(300);
    expect(r.waste.every((w) => w.cause === 'deleted' && w.root === 'data')).toBe(true);
  });

  it('a directory replacing a file, and a path under a lower file', async () => {
    const r = await run(
      [
        { name: 'a', content: bytes(30) },
        { name: 'b', content: bytes(40) },
      ],
      [{ name: 'a/' }, { name: 'b/c', content: bytes(1) }],
    );
    expect(lookup(r.root, 'a')?.type).toBe('dir');
    expect(lookup(r.root, 'b/c')?.type).toBe('file');
    expect(r.waste.map((w) => [w.path, w.cause])).toEqual([
      ['a', 'overwritten'],
      ['b', 'overwritten'],
    ]);
  });

  it('hard links: content counted once, kept alive by the other name', async () => {
    const r = await run(
      [
        { name: 'usr/bin/python3.11', content: bytes(1000), mode: 0o755 },
        { name: 'usr/bin/python3', type: 'link', linkname: 'usr/bin/python3.11' },
      ],
      [{ name: 'usr/bin/.wh.python3.11', content: '' }],
      [{ name: 'lib/x', content: bytes(50) }],
      [{ name: 'lib/y', type: 'link', linkname: 'lib/x' }],
      [{ name: 'lib/.wh.x', content: '' }],
    );
    expect(r.scans[0]!.size).toBe(1000);
    expect(r.waste).toEqual([]);
    expect(r.visibleBytes).toBe(1050);
    expect(lookup(r.root, 'usr/bin/python3')?.inode?.size).toBe(1000);
    expect(lookup(r.root, 'lib/y')?.inode?.layer).toBe(2);
  });

  it('deleting both names of a hard link frees the bytes once', async () => {
    const r = await run(
      [
        { name: 'a', content: bytes(64) },
        { name: 'b', type: 'link', linkname: 'a' },
      ],
      [
        { name: '.wh.a', content: '' },
        { name: '.wh.b', content: '' },
      ],
    );
    expect(r.waste.reduce((a, w) => a + w.size, 0)).toBe(64);
  });

  it('a chown-only copy is attribute waste; a content change is not', async () => {
    const r = await run(
      [
        { name: 'app/a.py', content: bytes(800, 7), uid: 0 },
        { name: 'app/b.py', content: bytes(900, 8) },
      ],
      [
        { name: 'app/a.py', content: bytes(800, 7), uid: 1000, gid: 1000 },
        { name: 'app/b.py', content: bytes(900, 9) },
      ],
    );
    expect(pick(r.waste)).toEqual([
      { path: 'app/a.py', size: 800, cause: 'attributes', addedBy: 0, hiddenBy: 1 },
      { path: 'app/b.py', size: 900, cause: 'overwritten', addedBy: 0, hiddenBy: 1 },
    ]);
    expect(lookup(r.root, 'app/a.py')?.uid).toBe(1000);
  });

  it('duplicate entries within one layer: the last wins, the others are waste of that layer', async () => {
    const r = await run([
      { name: 'f', content: bytes(10) },
      { name: 'f', content: bytes(20, 2) },
    ]);
    expect(pick(r.waste)).toEqual([{ path: 'f', size: 10, cause: 'overwritten', addedBy: 0, hiddenBy: 0 }]);
  });

  it('missing parent directories and ./ prefixes; symlink sizes count like docker', async () => {
    const r = await run([
      { name: './a/b/c/d', content: 'xyz' },
      { name: '/a/link', type: 'symlink', linkname: 'b/c/d' },
    ]);
    expect(lookup(r.root, 'a/b/c/d')?.inode?.size).toBe(3);
    expect(r.scans[0]!.size).toBe(3 + 5);
    expect(r.visibleBytes).toBe(8);
  });

  it('reads gzip layers the same as plain ones', async () => {
    const tar = await makeTar([{ name: 'x', content: bytes(5000) }]);
    const a = await scanLayer(Readable.from([tar]));
    const b = await scanLayer(Readable.from([gz(tar)]));
    expect(b.compression).toBe('gzip');
    expect(b.entries).toEqual(a.entries);
    expect(b.tarSize).toBe(tar.length);
  });

  it('the identity holds on random layer stacks (property)', async () => {
    const op = fc.oneof(
      fc.record({
        k: fc.constant('file' as const),
        p: fc.constantFrom('a', 'a/b', 'a/b/c', 'd', 'd/e', 'a/f'),
        n: fc.integer({ min: 0, max: 50 }),
      }),
      fc.record({ k: fc.constant('wh' as const), p: fc.constantFrom('a', 'a/b', 'd', 'a/b/c', 'd/e') }),
      fc.record({ k: fc.constant('opq' as const), p: fc.constantFrom('a', 'd', 'a/b') }),
      fc.record({
        k: fc.constant('link' as const),
        p: fc.constantFrom('l1', 'a/l2'),
        t: fc.constantFrom('a/b/c', 'd/e', 'a/f'),
      }),
      fc.record({
        k: fc.constant('sym' as const),
        p: fc.constantFrom('s', 'a/s'),
        t: fc.constantFrom('x', 'longer/target'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { maxLength: 6 }), { minLength: 1, maxLength: 5 }),
        async (stack) => {
          const specs: FixtureEntry[][] = stack.map((ops, li) =>
            ops.map((o, i): FixtureEntry => {
              const base = o.p.split('/').pop()!;
              const dir = o.p.includes('/') ? `${o.p.slice(0, o.p.lastIndexOf('/'))}/` : '';
              switch (o.k) {
                case 'file':
                  return { name: o.p, content: bytes(o.n, li * 10 + i + 1) };
                case 'wh':
                  return { name: `${dir}.wh.${base}`, content: '' };
                case 'opq':
                  return { name: `${o.p}/.wh..wh..opq`, content: '' };
                case 'link':
                  return { name: o.p, type: 'link', linkname: o.t };
                default:
                  return { name: o.p, type: 'symlink', linkname: o.t };
              }
            }),
          );
          await run(...specs);
        },
      ),
      { numRuns: 150 },
    );
  });
});
