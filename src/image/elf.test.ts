import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeElf, makeMachO } from './__fixtures__/elf.js';
import { binaryFormat, ElfCollector } from './elf.js';

function collect(buf: Buffer, dynamic = true, chunk = 4096) {
  const c = new ElfCollector(buf.length, dynamic);
  for (let i = 0; i < buf.length; i += chunk) c.data(buf.subarray(i, i + chunk), i);
  c.end();
  return c.result;
}

describe('ElfCollector', () => {
  it('reads DT_NEEDED, RUNPATH, RPATH and SONAME from a streamed object', () => {
    const elf = makeElf({
      needed: ['libblas.so.3', 'libc.so.6'],
      runpath: '$ORIGIN/../numpy.libs:/opt/x',
      soname: 'x.so',
    });
    for (const chunk of [1, 7, 64, 4096, elf.length]) {
      expect(collect(elf, true, chunk)).toMatchObject({
        format: 'elf',
        bits: 64,
        machine: 62,
        needed: ['libblas.so.3', 'libc.so.6'],
        runpath: ['$ORIGIN/../numpy.libs', '/opt/x'],
        rpath: [],
        soname: 'x.so',
      });
    }
  });

  it('finds a dynamic section far past the first 64 KiB', () => {
    const elf = makeElf({ needed: ['libpq.so.5'], rpath: '/usr/pgsql/lib', pad: 300_000 });
    const r = collect(elf, true, 65536);
    expect(r?.needed).toEqual(['libpq.so.5']);
    expect(r?.rpath).toEqual(['/usr/pgsql/lib']);
    expect(r?.incomplete).toBeUndefined();
  });

  it('header mode keeps class and machine only', () => {
    expect(collect(makeElf({ needed: ['a.so'] }), false)).toMatchObject({
      bits: 64,
      machine: 62,
      needed: [],
    });
    expect(collect(makeElf({ bits32: true }), false)).toMatchObject({ bits: 32, machine: 3 });
  });

  it('tells Mach-O and PE apart from ELF, and ignores other files', () => {
    expect(binaryFormat(makeMachO())).toBe('macho');
    expect(binaryFormat(Buffer.from('MZ\x90\x00'))).toBe('pe');
    expect(collect(Buffer.from('#!/bin/sh\necho hi\n'.repeat(10)))).toBeNull();
    expect(collect(makeMachO())?.format).toBe('macho');
  });

  it('survives garbage that starts like an ELF', () => {
    const junk = Buffer.alloc(5000, 0xff);
    junk.write('\x7fELF', 0, 'latin1');
    junk[4] = 2;
    junk[5] = 1;
    expect(() => collect(junk)).not.toThrow();
  });

  it('agrees with the host loader on a real library', () => {
    let lib: Buffer;
    try {
      lib = readFileSync('/usr/lib/x86_64-linux-gnu/libz.so.1');
    } catch {
      lib = readFileSync(process.execPath);
    }
    const r = collect(lib, true, 65536);
    expect(r?.format).toBe('elf');
    expect(r?.needed).toContain('libc.so.6');
  });
});

describe('ElfCollector fuzz', () => {
  it('never throws on mutated objects and keeps its reads in bounds', async () => {
    const fc = (await import('fast-check')).default;
    const base = makeElf({
      needed: ['liba.so.1', 'libb.so.2'],
      runpath: '$ORIGIN',
      soname: 's.so',
      pad: 1000,
    });
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), v: fc.nat({ max: 255 }) }), {
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 3000 }),
        (muts, chunk) => {
          const b = Buffer.from(base);
          for (const m of muts) if (m.at >= 4) b[m.at] = m.v;
          expect(() => collect(b, true, chunk)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
