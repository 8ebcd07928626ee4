import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaseFacts } from './base.js';
import {
  type AptIndex,
  compareDebVersions,
  debLayer,
  parseDeb822,
  readAr,
  resolveClosure,
} from './debian.js';
import { Store } from './store.js';
import { tarLayer } from './tarlayer.js';

function ar(members: Array<[string, Buffer]>): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n')];
  for (const [name, data] of members) {
    const h = Buffer.alloc(60, ' ');
    h.write(`${name}/`, 0);
    h.write('0', 16);
    h.write('0', 28);
    h.write('0', 34);
    h.write('100644', 40);
    h.write(String(data.length), 48);
    h.write('`\n', 58);
    parts.push(h, data);
    if (data.length % 2) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

function deb(name: string, opts: { postinst?: string; multiArch?: boolean } = {}): Buffer {
  const control = `Package: ${name}\nVersion: 1.0-1\nArchitecture: amd64\n${opts.multiArch ? 'Multi-Arch: same\n' : ''}Description: test é\n`;
  const ctl = tarLayer(
    [
      { path: 'control', type: 'file', mode: 0o644, data: Buffer.from(control) },
      {
        path: 'md5sums',
        type: 'file',
        mode: 0o644,
        data: Buffer.from('00  lib/x86_64-linux-gnu/libdemo.so.1\n'),
      },
      ...(opts.postinst
        ? [{ path: 'postinst', type: 'file' as const, mode: 0o755, data: Buffer.from(opts.postinst) }]
        : []),
    ],
    { mtime: 0 },
  );
  const data = tarLayer(
    [
      { path: 'lib/x86_64-linux-gnu/libdemo.so.1', type: 'file', mode: 0o644, data: Buffer.from('\x7fELF') },
      { path: 'usr/share/doc/demo/copyright', type: 'file', mode: 0o644, data: Buffer.from('c') },
    ],
    { mtime: 0 },
  );
  return ar([
    ['debian-binary', Buffer.from('2.0\n')],
    ['control.tar.gz', gzipSync(ctl)],
    ['data.tar', data],
  ]);
}

const facts: BaseFacts = {
  links: { lib: 'usr/lib' },
  topLinks: ['lib'],
  files: {
    'var/lib/dpkg/status': {
      mode: 0o644,
      data: 'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\n',
    },
  },
};

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'debian-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

async function layerOf(name: string, opts: { postinst?: string; multiArch?: boolean } = {}) {
  const store = new Store(path.join(tmp, name));
  const d = deb(name, opts);
  await store.putBuffer(d);
  const sha256 = createHash('sha256').update(d).digest('hex');
  const pin = {
    name,
    version: '1.0-1',
    arch: 'amd64',
    filename: `pool/${name}.deb`,
    sha256,
    url: 'http://unused.invalid/x.deb',
  };
  return debLayer(store, facts, [name], 'bookworm', 'amd64', [pin]);
}

describe('deb822 and versions', () => {
  it('parses stanzas with continuation lines', () => {
    const [a, b] = parseDeb822('Package: a\nDescription: x\n more\n\nPackage: b\nDepends: c (>= 1) | d\n');
    expect(a?.fields.get('Description')).toBe('x\n more');
    expect(b?.fields.get('Depends')).toBe('c (>= 1) | d');
  });

  it('compares versions as dpkg does', () => {
    const lt: Array<[string, string]> = [
      ['1.0~rc1', '1.0'],
      ['1.0', '1.0-1'],
      ['1.0-1', '1.0-2'],
      ['2.36-9', '2.36-9+deb12u4'],
      ['1:0.1', '2:0.0'],
      ['9', '1:1'],
      ['1.2a', '1.2b'],
      ['1.9', '1.10'],
      ['15.18-0+deb12u1', '15.20-0+deb12u1'],
    ];
    for (const [a, b] of lt) {
      expect(compareDebVersions(a, b), `${a} < ${b}`).toBeLessThan(0);
      expect(compareDebVersions(b, a), `${b} > ${a}`).toBeGreaterThan(0);
    }
    expect(compareDebVersions('1.0-1', '1.0-1')).toBe(0);
  });
});

describe('resolveClosure', () => {
  const stanza = (text: string) =>
    ({ ...parseDeb822(text)[0], mirror: 'm' }) as AptIndex['packages'] extends Map<string, infer V>
      ? V
      : never;
  const index: AptIndex = {
    packages: new Map([
      [
        'libpq5',
        stanza('Package: libpq5\nVersion: 15\nDepends: libc6 (>= 2.34), libldap-2.5-0 | libldap2, libssl3'),
      ],
      ['libldap-2.5-0', stanza('Package: libldap-2.5-0\nVersion: 2.5\nPre-Depends: libsasl2-2')],
      ['libsasl2-2', stanza('Package: libsasl2-2\nVersion: 2.1\nDepends: mail-transport-agent')],
      ['exim', stanza('Package: exim\nVersion: 4\nProvides: mail-transport-agent')],
    ]),
    provides: new Map([['mail-transport-agent', ['exim']]]),
  };

  it('follows Depends and Pre-Depends, takes the first alternative, a sole provider, and skips the base', () => {
    expect(resolveClosure(index, ['libpq5'], new Set(['libc6', 'libssl3']))).toEqual([
      'exim',
      'libldap-2.5-0',
      'libpq5',
      'libsasl2-2',
    ]);
  });

  it('names a package the index lacks', () => {
    expect(() => resolveClosure(index, ['libpq5'], new Set(['libc6']))).toThrow(/libssl3/);
  });
});

describe('debLayer', () => {
  it('rewrites merged-/usr paths, drops docs, and records the package in the dpkg database', async () => {
    const res = await layerOf('libdemo1', { multiArch: true });
    const paths = res.entries.map((e) => e.path);
    expect(paths).toContain('usr/lib/x86_64-linux-gnu/libdemo.so.1');
    expect(paths.some((p) => p.startsWith('lib/'))).toBe(false);
    expect(paths.some((p) => p.includes('usr/share/doc'))).toBe(false);
    expect(paths).toContain('var/lib/dpkg/info/libdemo1:amd64.list');
    expect(paths).toContain('var/lib/dpkg/info/libdemo1:amd64.md5sums');
    const status = res.entries.find((e) => e.path === 'var/lib/dpkg/status')?.data?.toString('utf8') ?? '';
    expect(status).toContain('Package: libc6\nStatus: install ok installed');
    expect(status).toContain('Package: libdemo1\nStatus: install ok installed\nVersion: 1.0-1');
    expect(status).toContain('test é');
  });

  it('emulates update-alternatives from postinst', async () => {
    const res = await layerOf('libblas3', {
      postinst:
        '#!/bin/sh\nset -e\nupdate-alternatives --install /usr/lib/x86_64-linux-gnu/libblas.so.3 libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/blas/libblas.so.3 10\n',
    });
    const link = res.entries.find((e) => e.path === 'usr/lib/x86_64-linux-gnu/libblas.so.3');
    expect(link?.linkname).toBe('/etc/alternatives/libblas.so.3-x86_64-linux-gnu');
    expect(
      res.entries.find((e) => e.path === 'etc/alternatives/libblas.so.3-x86_64-linux-gnu')?.linkname,
    ).toBe('/usr/lib/x86_64-linux-gnu/blas/libblas.so.3');
  });

  it('refuses, by name, a maintainer script it cannot emulate', async () => {
    await expect(
      layerOf('adduser-ish', { postinst: '#!/bin/sh\nset -e\nadduser --system foo\n' }),
    ).rejects.toThrow(/adduser-ish's postinst does more than pack can emulate \(adduser --system foo\)/);
  });

  it('reads ar archives', () => {
    const m = readAr(
      ar([
        ['a', Buffer.from('odd')],
        ['b', Buffer.from('xy')],
      ]),
      'x.deb',
    );
    expect(m.get('a')?.toString()).toBe('odd');
    expect(m.get('b')?.toString()).toBe('xy');
    expect(() => readAr(Buffer.from('nope'), 'x.deb')).toThrow(/x\.deb: not a \.deb/);
  });
});
