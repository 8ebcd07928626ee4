import fc from 'fast-check';
import tarStream from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { bytes, makeTar } from './__fixtures__/tars.js';
import { normalizeEntryPath, type TarEntry, TarFormatError, TarParser } from './tar.js';

function parse(buf: Buffer, chunk = buf.length): { entries: TarEntry[]; data: Map<string, Buffer> } {
  const entries: TarEntry[] = [];
  const data = new Map<string, Buffer>();
  const p = new TarParser({
    entry(e) {
      entries.push(e);
      const parts: Buffer[] = [];
      return {
        data: (c) => parts.push(Buffer.from(c)),
        end: () => data.set(e.path, Buffer.concat(parts)),
      };
    },
  });
  for (let i = 0; i < buf.length; i += chunk) p.write(buf.subarray(i, i + chunk));
  p.end();
  return { entries, data };
}

async function referenceList(buf: Buffer): Promise<Array<{ name: string; size: number; type: string }>> {
  const ex = tarStream.extract();
  const out: Array<{ name: string; size: number; type: string }> = [];
  const done = (async () => {
    for await (const entry of ex) {
      out.push({ name: entry.header.name, size: entry.header.size ?? 0, type: entry.header.type ?? '' });
      for await (const _ of entry) {
        /* drain */
      }
    }
  })();
  ex.end(buf);
  await done;
  return out;
}

describe('TarParser', () => {
  it('reads files, dirs, links, long pax names and xattrs like tar-stream', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(130)}.txt`;
    const buf = await makeTar([
      { name: 'usr/' },
      { name: './usr/bin/tool', content: 'hello', mode: 0o755, uid: 1000, gid: 1000 },
      { name: 'usr/bin/alias', type: 'link', linkname: 'usr/bin/tool' },
      { name: 'usr/bin/sym', type: 'symlink', linkname: '../lib/x.so' },
      { name: long, content: bytes(1500) },
      { name: 'cap', content: 'x', pax: { 'SCHILY.xattr.security.capability': 'abc' } },
    ]);
    const { entries, data } = parse(buf, 7);
    expect(entries.map((e) => [e.path, e.type, e.size])).toEqual([
      ['usr', 'dir', 0],
      ['usr/bin/tool', 'file', 5],
      ['usr/bin/alias', 'hardlink', 0],
      ['usr/bin/sym', 'symlink', 0],
      [long, 'file', 1500],
      ['cap', 'file', 1],
    ]);
    expect(entries[1]).toMatchObject({ mode: 0o755, uid: 1000, gid: 1000 });
    expect(entries[2]!.linkname).toBe('usr/bin/tool');
    expect(entries[3]!.linkname).toBe('../lib/x.so');
    expect(entries[5]!.xattrs).toEqual(['security.capability']);
    expect(data.get(long)).toEqual(bytes(1500));
    const ref = await referenceList(buf);
    expect(ref.length).toBe(entries.length);
  });

  it('agrees with tar-stream on random archives fed in random chunk sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            name: fc.stringMatching(/^[a-z]{1,12}(\/[a-z.]{1,40}){0,6}$/),
            size: fc.integer({ min: 0, max: 3000 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 1100 }),
        async (files, chunk) => {
          const buf = await makeTar(files.map((f, i) => ({ name: f.name, content: bytes(f.size, i + 1) })));
          const { entries, data } = parse(buf, chunk);
          const ref = await referenceList(buf);
          expect(entries.map((e) => e.size)).toEqual(ref.map((r) => r.size));
          expect(entries.map((e) => e.path)).toEqual(ref.map((r) => normalizeEntryPath(r.name).path));
          files.forEach((f, i) => {
            // Later duplicates win in the map, and names that normalize alike ('a/.' and 'a') are duplicates.
            const key = normalizeEntryPath(f.name).path;
            const last = files.map((g) => normalizeEntryPath(g.name).path).lastIndexOf(key);
            if (last === i) expect(data.get(key)).toEqual(bytes(f.size, i + 1));
          });
        },
      ),
      {
        numRuns: 60,
        examples: [
          [
            [
              { name: 'a/.', size: 0 },
              { name: 'a', size: 1 },
            ],
            1,
          ],
        ],
      },
    );
  });

  it('normalizes hostile names without ever climbing above the root', () => {
    expect(normalizeEntryPath('../../etc/passwd')).toEqual({ path: 'etc/passwd', escapes: true });
    expect(normalizeEntryPath('/abs/./x//y/')).toEqual({ path: 'abs/x/y', escapes: false });
    expect(normalizeEntryPath('a/../../b')).toEqual({ path: 'b', escapes: true });
    expect(normalizeEntryPath('./')).toEqual({ path: '', escapes: false });
    fc.assert(
      fc.property(fc.array(fc.constantFrom('..', '.', '', 'a', 'b', '.wh.x'), { maxLength: 12 }), (segs) => {
        const { path } = normalizeEntryPath(segs.join('/'));
        expect(path.split('/')).not.toContain('..');
        expect(path.startsWith('/')).toBe(false);
      }),
    );
  });

  it('fails clearly on a truncated archive', async () => {
    const buf = await makeTar([{ name: 'big', content: bytes(5000) }]);
    expect(() => parse(buf.subarray(0, 2000))).toThrow(/truncated tar/);
    expect(() => parse(buf.subarray(0, 300))).toThrow(/truncated tar/);
  });

  it('rejects a corrupt header and absurd metadata records', async () => {
    const buf = await makeTar([{ name: 'a', content: 'x' }]);
    const bad = Buffer.from(buf);
    bad[10] = 0x41;
    expect(() => parse(bad)).toThrow(TarFormatError);
    // A pax header that claims 1 TiB of metadata: rejected before reading it.
    const h = Buffer.from(buf.subarray(0, 512));
    h[156] = 0x78; // 'x'
    h.write('17777777777777'.slice(0, 11), 124, 'ascii');
    h.fill(32, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += h[i]!;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    expect(() => parse(Buffer.concat([h, Buffer.alloc(1024)]))).toThrow(/absurd tar metadata/);
  });

  it('reads a header that claims an absurd size as truncated, with bounded work', async () => {
    const buf = await makeTar([{ name: 'a', content: 'x' }]);
    const h = Buffer.from(buf.subarray(0, 512));
    // base-256 size of 2^50 bytes
    h.fill(0, 124, 136);
    h[124] = 0x80;
    h[129] = 0x04;
    h.fill(32, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += h[i]!;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    expect(() => parse(Buffer.concat([h, Buffer.alloc(4096, 1)]))).toThrow(/truncated tar/);
  });
});

describe('TarParser fuzz', () => {
  it('mutated archives either parse or fail with TarFormatError, in bounded work', async () => {
    const base = await makeTar([
      { name: 'a/b', content: bytes(700) },
      { name: 'c', type: 'symlink', linkname: 'a/b' },
      { name: `${'x'.repeat(150)}/y`, content: bytes(20) },
    ]);
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), v: fc.nat({ max: 255 }) }), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.nat({ max: base.length }),
        (muts, cutAt) => {
          const b = Buffer.from(base.subarray(0, Math.max(1, cutAt)));
          for (const m of muts) if (m.at < b.length) b[m.at] = m.v;
          let entries = 0;
          const p = new TarParser({
            entry() {
              entries++;
              return undefined;
            },
          });
          try {
            p.write(b);
            p.end();
          } catch (err) {
            expect(err).toBeInstanceOf(TarFormatError);
          }
          expect(entries).toBeLessThanOrEqual(b.length / 512);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('normalizeEntryPath', () => {
  /** The definition: drop '' and '.' segments, resolve '..' (clamped at the root, flagged). */
  const reference = (raw: string) => {
    const out: string[] = [];
    let escapes = false;
    for (const seg of raw.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (out.length === 0) escapes = true;
        else out.pop();
      } else out.push(seg);
    }
    return { path: out.join('/'), escapes };
  };

  it('its fast paths agree with the definition on random names', () => {
    const piece = fc.constantFrom('a', 'bc', '.', '..', '/', './', '.wh.x', '.a', 'a.', '//');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
        const raw = parts.join('');
        expect(normalizeEntryPath(raw)).toEqual(reference(raw));
      }),
      { numRuns: 3000 },
    );
    for (const raw of ['./', './etc/', './etc/rc2.d/x', 'usr/bin/', '././a//b/', '/', '']) {
      expect(normalizeEntryPath(raw), raw).toEqual(reference(raw));
    }
  });
});
