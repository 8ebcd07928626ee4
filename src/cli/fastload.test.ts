import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  armCaches,
  BUNDLE_HEADER,
  bundleKey,
  cacheFileName,
  commandOf,
  isFresh,
  loadBundle,
  userCacheDir,
  writeCaches,
} from './fastload.js';

const root = mkdtempSync(path.join(tmpdir(), 'pycontain-fastload-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let seq = 0;
/** A bundle with the build's header, in a directory of its own (loadBundle loads a path once). */
function bundle(body: string, name = 'b.cjs', dir = path.join(root, `d${seq++}`)): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, `${BUNDLE_HEADER}${createHash('sha256').update(body).digest('hex')}\n${body}`);
  return file;
}

const BODY = `"use strict";
function work(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }
module.exports = { answer: work(1000), dir: __dirname, file: __filename, self: this === exports };
`;

describe('loadBundle', () => {
  it('runs the bundle like require, makes a cache at exit, and a second load uses it', () => {
    const cache = path.join(root, 'cache1');
    const first = loadBundle(bundle(BODY), { writeDir: cache });
    expect(first.cache).toBe('miss');
    expect(first.exports).toMatchObject({ answer: 2997, self: true });
    expect(first.exports.dir).toBe(path.dirname(first.exports.file as string));
    expect(existsSync(first.cacheFile!)).toBe(false);
    writeCaches();
    expect(readdirSync(cache)).toEqual([path.basename(first.cacheFile!)]);

    const second = loadBundle(bundle(BODY), { writeDir: cache });
    expect(second.cache).toBe('hit');
    expect(second.exports.answer).toBe(2997);
  });

  it('keys the cache by content: a changed bundle does not use the old cache, and replaces it', () => {
    const cache = path.join(root, 'cache2');
    const a = loadBundle(bundle(BODY), { writeDir: cache });
    writeCaches();
    const changed = BODY.replace('1000', '1001');
    const b = loadBundle(bundle(changed), { writeDir: cache });
    expect(b.cache).toBe('miss');
    expect(b.exports.answer).toBe(3003);
    expect(b.cacheFile).not.toBe(a.cacheFile);
    writeCaches();
    expect(readdirSync(cache)).toEqual([path.basename(b.cacheFile!)]);
  });

  it('a cache V8 rejects is replaced, and the bundle still runs', () => {
    const cache = path.join(root, 'cache3');
    const file = bundle(BODY);
    mkdirSync(cache);
    const key = bundleKey(`${BUNDLE_HEADER}${createHash('sha256').update(BODY).digest('hex')}\n`)!;
    writeFileSync(path.join(cache, cacheFileName(file, key)), Buffer.from('not a V8 code cache at all'));
    const r = loadBundle(file, { writeDir: cache });
    expect(r.cache).toBe('rejected');
    expect(r.exports.answer).toBe(2997);
    writeCaches();
    expect(loadBundle(bundle(BODY), { writeDir: cache }).cache).toBe('hit');
  });

  it('the cache beside the bundle (made at build time) is used when the user has none', () => {
    const dir = path.join(root, 'beside');
    loadBundle(bundle(BODY, 'b.cjs', dir), { writeDir: dir });
    writeCaches();
    const user = path.join(root, 'user-empty');
    const copy = path.join(root, 'beside-copy');
    mkdirSync(copy);
    for (const f of readdirSync(dir)) copyFileSync(path.join(dir, f), path.join(copy, f));
    const r = loadBundle(path.join(copy, 'b.cjs'), { writeDir: user });
    expect(r.cache).toBe('hit');
    expect(r.cacheFile).toBe(path.join(copy, path.basename(r.cacheFile!)));
    expect(existsSync(user)).toBe(false);
  });

  it('fails safe when the cache cannot be written', () => {
    const blocker = path.join(root, 'a-file');
    writeFileSync(blocker, 'x');
    const r = loadBundle(bundle(BODY), { writeDir: path.join(blocker, 'cache') });
    expect(r.cache).toBe('miss');
    expect(() => writeCaches()).not.toThrow();
    expect(r.exports.answer).toBe(2997);
  });

  it('a file without the header runs without a cache', () => {
    const dir = path.join(root, 'plain');
    mkdirSync(dir);
    const file = path.join(dir, 'p.cjs');
    writeFileSync(file, BODY);
    const r = loadBundle(file, { writeDir: path.join(root, 'cache-plain') });
    expect(r.cache).toBe('unkeyed');
    expect(r.exports.answer).toBe(2997);
    writeCaches();
    expect(existsSync(path.join(root, 'cache-plain'))).toBe(false);
  });

  it('loads a sibling bundle required as ./name.cjs through the cache too, once', () => {
    const dir = path.join(root, 'siblings');
    bundle(
      'module.exports = { n: (globalThis.__pycontainSiblingLoads = (globalThis.__pycontainSiblingLoads ?? 0) + 1) };',
      'sib.cjs',
      dir,
    );
    const main = bundle(
      'module.exports = { a: require("./sib.cjs").n, b: require("./sib.cjs").n, path: require("node:path").sep };',
      'main.cjs',
      dir,
    );
    const r = loadBundle(main, { writeDir: path.join(root, 'cache-sib') });
    expect(r.exports).toEqual({ a: 1, b: 1, path: path.sep });
    writeCaches();
    expect(readdirSync(path.join(root, 'cache-sib')).sort()).toEqual([
      expect.stringMatching(/^main-/),
      expect.stringMatching(/^sib-/),
    ]);
  });

  it('an exception in the bundle propagates, and a later load retries', () => {
    const file = bundle('throw new Error("broken bundle");');
    expect(() => loadBundle(file, { writeDir: null })).toThrow('broken bundle');
    expect(() => loadBundle(file, { writeDir: null })).toThrow('broken bundle');
  });
});

describe('keys and places', () => {
  it('reads the content hash from the first line only when it is a SHA-256', () => {
    expect(bundleKey(`${BUNDLE_HEADER}${'a'.repeat(64)}\nx`)).toBe('a'.repeat(64));
    expect(bundleKey(`${BUNDLE_HEADER}../../etc\nx`)).toBeNull();
    expect(bundleKey('"use strict";\n')).toBeNull();
  });
  it('names the cache by bundle, hash, V8 version and architecture', () => {
    const name = cacheFileName('/x/lint.cjs', 'f'.repeat(64));
    expect(name.startsWith(`lint-${'f'.repeat(32)}-`)).toBe(true);
    expect(name).toContain(process.arch);
    expect(name.endsWith('.v8cache')).toBe(true);
  });
  it('puts run-time caches in PYCONTAIN_CACHE_DIR, XDG_CACHE_HOME or ~/.cache', () => {
    expect(userCacheDir({ PYCONTAIN_CACHE_DIR: '/c' })).toBe('/c');
    expect(userCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe(path.join('/x', 'pycontain', 'v8'));
    if (process.platform !== 'win32') {
      expect(userCacheDir({ HOME: '/h' })).toBe(path.join('/h', '.cache', 'pycontain', 'v8'));
      expect(userCacheDir({})).toBeNull();
    }
  });
  it('finds the command as main.ts does: the first word that is not an option', () => {
    expect(commandOf(['node', 'pycontain', 'lint', 'Dockerfile'])).toBe('lint');
    expect(commandOf(['node', 'pycontain', '--no-color', 'lint'])).toBe('lint');
    expect(commandOf(['node', 'pycontain', '--version'])).toBeUndefined();
    expect(commandOf(['node', 'pycontain', 'build', 'lint'])).toBe('build');
  });
});

describe('isFresh', () => {
  it('uses a bundle only when tsc has not written the CLI after it', () => {
    const dir = path.join(root, 'fresh');
    mkdirSync(dir);
    const bundleFile = path.join(dir, 'lint.cjs');
    const main = path.join(dir, 'main.js');
    expect(isFresh(bundleFile, main)).toBe(false);
    writeFileSync(bundleFile, '');
    expect(isFresh(bundleFile, main)).toBe(true);
    writeFileSync(main, '');
    utimesSync(bundleFile, 1000, 1000);
    utimesSync(main, 1000.5, 1000.5);
    expect(isFresh(bundleFile, main)).toBe(true);
    utimesSync(main, 1010, 1010);
    expect(isFresh(bundleFile, main)).toBe(false);
    utimesSync(bundleFile, 1020, 1020);
    expect(isFresh(bundleFile, main)).toBe(true);
  });
});

describe('deferred caches', () => {
  it('are made at exit only once armed', () => {
    const cache = path.join(root, 'cache-deferred');
    const r = loadBundle(bundle(BODY), { writeDir: cache, deferCache: true });
    expect(r.cache).toBe('miss');
    writeCaches();
    expect(existsSync(cache)).toBe(false);
    const again = loadBundle(bundle(BODY), { writeDir: cache, deferCache: true });
    armCaches();
    writeCaches();
    expect(readdirSync(cache)).toEqual([path.basename(again.cacheFile!)]);
  });
});
