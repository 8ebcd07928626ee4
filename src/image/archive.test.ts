import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { bytes, type FixtureEntry, makeTar } from './__fixtures__/tars.js';
import { analyzeImage } from './analyze.js';
import { loadImage, resolveSource } from './archive.js';
import { DecompressMaybe, FzstdTransform } from './decompress.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const zstd = (b: Buffer): Buffer => {
  const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: b, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error('zstd binary needed for this fixture');
  return r.stdout;
};

async function outerTar(entries: Array<{ name: string; body?: Buffer; linkname?: string }>): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      if (e.linkname !== undefined)
        pack.entry({ name: e.name, type: 'symlink', linkname: e.linkname }, (err) =>
          err ? reject(err) : resolve(),
        );
      else pack.entry({ name: e.name }, e.body!, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const L1: FixtureEntry[] = [
  { name: 'usr/bin/tool', content: bytes(3000) },
  { name: 'tmp/junk', content: bytes(1000) },
];
const L2: FixtureEntry[] = [
  { name: 'tmp/.wh.junk', content: '' },
  { name: 'app/main.py', content: bytes(200) },
];
const config = (diffIds: string[]) =>
  Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { User: '1000' },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [
        { created_by: 'ADD rootfs' },
        { created_by: 'RUN rm /tmp/junk' },
        { created_by: 'RUN true', empty_layer: true },
        { created_by: 'COPY same' },
      ],
    }),
  );

let tmp: string;
let t1: Buffer;
let t2: Buffer;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-archive-test-'));
  t1 = await makeTar(L1);
  t2 = await makeTar(L2);
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

async function write(name: string, b: Buffer): Promise<string> {
  const p = path.join(tmp, name);
  await fsp.writeFile(p, b);
  return p;
}

async function ociDir(
  name: string,
  blobs: Buffer[],
  opts: { multi?: boolean; dropLayer?: boolean } = {},
): Promise<string> {
  const dir = path.join(tmp, name);
  await fsp.mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = async (b: Buffer) => {
    await fsp.writeFile(path.join(dir, 'blobs', 'sha256', sha(b)), b);
    return { digest: `sha256:${sha(b)}`, size: b.length };
  };
  const cfg = config([t1, t2, t2].map((t) => `sha256:${sha(t)}`));
  const layers = [];
  for (const [i, b] of blobs.entries()) {
    if (opts.dropLayer && i === 1)
      layers.push({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: `sha256:${sha(b)}`,
        size: b.length,
      });
    else layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...(await put(b)) });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...(await put(cfg)) },
      layers,
    }),
  );
  const m = { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...(await put(manifest)) };
  let top: unknown = {
    schemaVersion: 2,
    manifests: [{ ...m, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
  };
  if (opts.multi) {
    const arm = Buffer.from(JSON.stringify({ schemaVersion: 2, config: m, layers: [] }));
    const idx = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...(await put(arm)),
            platform: { os: 'linux', architecture: 'arm64' },
          },
          { ...m, platform: { os: 'linux', architecture: 'amd64' } },
          {
            ...m,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
          },
        ],
      }),
    );
    top = {
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...(await put(idx)) }],
    };
  }
  await fsp.writeFile(path.join(dir, 'index.json'), JSON.stringify(top));
  await fsp.writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  return dir;
}

const figures = async (input: string, platform?: string) => {
  const r = await analyzeImage(await resolveSource(input), platform ? { platform } : {});
  return {
    format: r.image.format,
    total: r.size.total,
    visible: r.size.visible,
    byCause: r.waste.byCause,
    layers: r.layers.map((l) => [l.size, l.createdBy, l.compression]),
  };
};

describe('image readers', () => {
  it('legacy docker-archive: <id>/layer.tar, a repeated layer as a symlink, manifest.json last', async () => {
    const cfg = config([t1, t2, t2].map((t) => `sha256:${sha(t)}`));
    const tar = await outerTar([
      { name: 'aaa/layer.tar', body: t1 },
      { name: 'bbb/layer.tar', body: t2 },
      { name: 'ccc/layer.tar', linkname: '../bbb/layer.tar' },
      { name: 'cfg.json', body: cfg },
      { name: 'repositories', body: Buffer.from('{}') },
      {
        name: 'manifest.json',
        body: Buffer.from(
          JSON.stringify([
            {
              Config: 'cfg.json',
              RepoTags: ['x:1'],
              Layers: ['aaa/layer.tar', 'bbb/layer.tar', 'ccc/layer.tar'],
            },
          ]),
        ),
      },
    ]);
    const f = await figures(await write('legacy.tar', tar));
    expect(f.format).toBe('docker-archive-legacy');
    expect(f.layers).toEqual([
      [4000, 'ADD rootfs', 'none'],
      [200, 'RUN rm /tmp/junk', 'none'],
      [200, 'COPY same', 'none'],
    ]);
    expect(f.total).toBe(4400);
    expect(f.visible).toBe(3200);
    expect(f.byCause).toMatchObject({ deleted: 1000, attributes: 200 });
  });

  it('OCI layout with gzip and zstd layers (media types that lie) gives the same numbers', async () => {
    const gzDir = await ociDir('oci-gz', [gzipSync(t1), gzipSync(t2), t2]);
    const zDir = await ociDir('oci-zstd', [zstd(t1), zstd(t2), zstd(t2)]);
    const a = await figures(gzDir);
    const b = await figures(zDir);
    expect(a.format).toBe('oci-layout');
    expect(a.layers.map((l) => l[2])).toEqual(['gzip', 'gzip', 'none']);
    expect(b.layers.map((l) => l[2])).toEqual(['zstd', 'zstd', 'zstd']);
    expect({ ...b, layers: b.layers.map((l) => l.slice(0, 2)) }).toEqual({
      ...a,
      layers: a.layers.map((l) => l.slice(0, 2)),
    });
  });

  it('containers/image dir: layout (podman save --format docker-dir): blobs under their bare hex digest', async () => {
    const dir = path.join(tmp, 'dir-transport');
    await fsp.mkdir(dir, { recursive: true });
    const put = async (b: Buffer, mediaType: string) => {
      await fsp.writeFile(path.join(dir, sha(b)), b);
      return { mediaType, digest: `sha256:${sha(b)}`, size: b.length };
    };
    const cfg = config([t1, t2, t2].map((t) => `sha256:${sha(t)}`));
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: await put(cfg, 'application/vnd.docker.container.image.v1+json'),
      layers: [
        await put(gzipSync(t1), 'application/vnd.docker.image.rootfs.diff.tar.gzip'),
        await put(gzipSync(t2), 'application/vnd.docker.image.rootfs.diff.tar.gzip'),
        await put(t2, 'application/vnd.docker.image.rootfs.diff.tar'),
      ],
    };
    await fsp.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    await fsp.writeFile(path.join(dir, 'version'), 'Directory Transport Version: 1.1\n');
    const a = await figures(dir);
    const ref = await figures(await ociDir('oci-for-dir', [gzipSync(t1), gzipSync(t2), t2]));
    expect(a.format).toBe('dir-transport');
    expect({ ...a, format: '' }).toEqual({ ...ref, format: '' });
    const loaded = await loadImage({ kind: 'oci', path: dir });
    expect(loaded.configDigest).toBe(`sha256:${sha(cfg)}`);
    // Stored blobs are checked against the manifest like any other layout.
    const victim = path.join(dir, sha(t2));
    const bad = Buffer.from(t2);
    bad[1100] = bad[1100]! ^ 1; // inside app/main.py's data: the tar still parses
    await fsp.writeFile(victim, bad);
    const err = await loadImage({ kind: 'oci', path: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/does not match its digest/);
    expect(err.file).toBe(sha(t2));
    // A manifest.json that is neither docker save's list nor a schema 2 manifest says which it is.
    await fsp.writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ schemaVersion: 1, fsLayers: [] }));
    await expect(loadImage({ kind: 'oci', path: dir })).rejects.toThrow(
      /unsupported manifest \(schemaVersion 1\)/,
    );
  });

  it('a nested index: picks the platform, skips attestations, explains a missing one', async () => {
    const dir = await ociDir('oci-multi', [gzipSync(t1), gzipSync(t2), gzipSync(t2)], { multi: true });
    expect((await figures(dir, 'linux/amd64')).total).toBe(4400);
    await expect(figures(dir, 'linux/s390x')).rejects.toThrow(
      /no manifest for platform linux\/s390x \(available: linux\/arm64, linux\/amd64\)/,
    );
  });

  it('a manifest that names a missing blob is an InputError naming the blob', async () => {
    const dir = await ociDir('oci-missing', [gzipSync(t1), gzipSync(t2), t2], { dropLayer: true });
    const err = await loadImage({ kind: 'oci', path: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/missing/);
    expect(err.file).toBe(`blobs/sha256/${sha(gzipSync(t2))}`);
  });

  it('truncated layers, bad JSON and non-archives are InputErrors', async () => {
    const cut = await outerTar([
      { name: 'aaa/layer.tar', body: t1.subarray(0, 1800) },
      { name: 'manifest.json', body: Buffer.from('[]') },
    ]);
    const e1 = await loadImage({ kind: 'archive', path: await write('cut.tar', cut) }).catch((e) => e);
    expect(e1).toBeInstanceOf(InputError);
    expect(e1.message).toMatch(/aaa\/layer\.tar: truncated tar/);
    const bad = await outerTar([{ name: 'manifest.json', body: Buffer.from('[{"Config": ') }]);
    const e2 = await loadImage({ kind: 'archive', path: await write('bad.tar', bad) }).catch((e) => e);
    expect(e2).toBeInstanceOf(InputError);
    expect(e2.file).toBe('manifest.json');
    const e3 = await loadImage({
      kind: 'archive',
      path: await write('notatar.tar', Buffer.from('hello world'.repeat(100))),
    }).catch((e) => e);
    expect(e3).toBeInstanceOf(InputError);
    const e4 = await loadImage({ kind: 'oci', path: tmp }).catch((e) => e);
    expect(e4).toBeInstanceOf(InputError);
  });

  it('a gzip bomb stops early with a clear error (bounded work)', async () => {
    const bomb = gzipSync(await makeTar([{ name: 'zeros', content: Buffer.alloc(64 << 20) }]));
    expect(bomb.length).toBeLessThan(200_000);
    const dir = await ociDir('oci-bomb', [bomb, gzipSync(t2), gzipSync(t2)]);
    const err = await loadImage(
      { kind: 'oci', path: dir },
      { limits: { ratioFloor: 4 << 20, maxRatio: 100 } },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/decompression bomb/);
    const err2 = await loadImage({ kind: 'oci', path: dir }, { limits: { maxBytes: 8 << 20 } }).catch(
      (e) => e,
    );
    expect(err2.message).toMatch(/more than 8388608 bytes/);
  });

  it('hostile names are clamped inside the image and nothing is written anywhere', async () => {
    const evil = await makeTar([
      { name: '../../../../tmp/pycontain-evil', content: 'x' },
      { name: '/etc/../../passwd', content: 'y' },
    ]);
    const dir = await ociDir('oci-evil', [evil, t2, t2]);
    const before = await fsp.readdir(tmp);
    const r = await analyzeImage({ kind: 'oci', path: dir });
    expect(r.warnings.some((w) => w.includes('climbs above the root'))).toBe(true);
    expect(r.size.visible).toBe(1 + 1 + 200);
    expect(await fsp.readdir(tmp)).toEqual(before);
    await expect(fsp.access('/tmp/pycontain-evil')).rejects.toThrow();
  });

  it('resolveSource picks archive, layout or engine', async () => {
    expect(await resolveSource(tmp)).toEqual({ kind: 'oci', path: tmp });
    expect(await resolveSource('python:3.12-slim')).toEqual({ kind: 'engine', ref: 'python:3.12-slim' });
    expect(await resolveSource('podman:x:1')).toEqual({ kind: 'engine', ref: 'x:1', engine: 'podman' });
    expect((await resolveSource('docker-archive:/x.tar')).kind).toBe('archive');
  });
});

describe('decompressMaybe', () => {
  it('fzstd path decodes what the zstd binary wrote, with bounded chunks', async () => {
    const data = await makeTar([{ name: 'a', content: bytes(300_000) }]);
    const out: Buffer[] = [];
    await pipeline(
      Readable.from([zstd(data)]),
      new FzstdTransform(),
      new Writable({
        write(c, _e, cb) {
          out.push(c);
          cb();
        },
      }),
    );
    expect(Buffer.concat(out)).toEqual(data);
  });

  it('respects backpressure: a slow consumer does not make output pile up', async () => {
    const data = gzipSync(Buffer.alloc(32 << 20, 7));
    const dm = new DecompressMaybe();
    let maxBuffered = 0;
    let total = 0;
    const slow = new Writable({
      highWaterMark: 1,
      write(c: Buffer, _e, cb) {
        total += c.length;
        maxBuffered = Math.max(maxBuffered, dm.readableLength);
        setImmediate(cb);
      },
    });
    await pipeline(Readable.from([data]), dm, slow);
    expect(total).toBe(32 << 20);
    expect(maxBuffered).toBeLessThan(1 << 20);
  });

  it('passes plain and tiny inputs through untouched', async () => {
    for (const input of [Buffer.alloc(0), Buffer.from('ab'), bytes(10_000)]) {
      const out: Buffer[] = [];
      const p = new PassThrough();
      p.end(input);
      await pipeline(
        p,
        new DecompressMaybe(),
        new Writable({
          write(c, _e, cb) {
            out.push(c);
            cb();
          },
        }),
      );
      expect(Buffer.concat(out)).toEqual(input);
    }
  });
});

describe('blob digests', () => {
  /** A copy of `b` with one byte changed. */
  const flip = (b: Buffer, at: number): Buffer => {
    const c = Buffer.from(b);
    c[at] = c[at]! ^ 0xff;
    return c;
  };
  // A byte inside app/main.py's data in t2: the tar stays well-formed, only the content changes.
  const inT2 = () => t2.indexOf(bytes(200)) + 10;
  // The gzip header's MTIME: the stream still inflates to the same tar, only the stored bytes differ.
  const GZIP_MTIME = 4;

  /**
   * `docker save` of Docker 25+ (OCI layout inside the tar, manifest.json beside it), or with
   * `nested` the containerd image store's shape (compressed blobs behind a nested index).
   * `stored` replaces what is written for the blob of layer i (the manifest keeps the digest of `blobs[i]`).
   */
  async function ociArchive(
    name: string,
    blobs: Buffer[],
    opts: { nested?: boolean; stored?: Record<number, Buffer> } = {},
  ): Promise<string> {
    const members: Array<{ name: string; body: Buffer }> = [];
    const put = (b: Buffer, body = b) => {
      members.push({ name: `blobs/sha256/${sha(b)}`, body });
      return { digest: `sha256:${sha(b)}`, size: b.length };
    };
    const cfg = config([t1, t2, t2].map((t) => `sha256:${sha(t)}`));
    const layers = blobs.map((b, i) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      ...put(b, opts.stored?.[i] ?? b),
    }));
    const cfgD = put(cfg);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, config: cfgD, layers }));
    const m = { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...put(manifest) };
    let top = m;
    if (opts.nested) {
      const idx = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [m] }));
      top = { mediaType: 'application/vnd.oci.image.index.v1+json', ...put(idx) };
    }
    const legacy = [
      {
        Config: `blobs/sha256/${sha(cfg)}`,
        RepoTags: ['x:1'],
        Layers: blobs.map((b) => `blobs/sha256/${sha(b)}`),
      },
    ];
    // Unique members (t2 appears twice), then the metadata last, as docker save writes it.
    const seen = new Set<string>();
    const entries = members.filter((e) => !seen.has(e.name) && seen.add(e.name));
    entries.push(
      { name: 'oci-layout', body: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
      { name: 'index.json', body: Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [top] })) },
      { name: 'manifest.json', body: Buffer.from(JSON.stringify(legacy)) },
    );
    return write(name, await outerTar(entries));
  }

  const legacyArchive = async (name: string, second: Buffer) =>
    write(
      name,
      await outerTar([
        { name: 'aaa/layer.tar', body: t1 },
        { name: 'bbb/layer.tar', body: second },
        { name: 'ccc/layer.tar', linkname: '../bbb/layer.tar' },
        { name: 'cfg.json', body: config([t1, t2, t2].map((t) => `sha256:${sha(t)}`)) },
        {
          name: 'manifest.json',
          body: Buffer.from(
            JSON.stringify([
              { Config: 'cfg.json', Layers: ['aaa/layer.tar', 'bbb/layer.tar', 'ccc/layer.tar'] },
            ]),
          ),
        },
      ]),
    );

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a digest mismatch');
      },
      (e: unknown) => e as InputError,
    );

  it('legacy docker-archive: a changed byte in a layer.tar fails against rootfs.diff_ids, naming the member', async () => {
    const good = await legacyArchive('legacy-good.tar', t2);
    expect((await loadImage({ kind: 'archive', path: good })).layers.map((l) => l.scan.digest)).toEqual(
      [t1, t2, t2].map((t) => `sha256:${sha(t)}`),
    );
    const bad = await legacyArchive('legacy-bad.tar', flip(t2, inT2()));
    const err = await failure(loadImage({ kind: 'archive', path: bad }));
    expect(err).toBeInstanceOf(InputError);
    expect(err.file).toBe('bbb/layer.tar');
    expect(err.message).toMatch(/layer 1 does not match its digest/);
    expect(err.message).toContain(`expected sha256:${sha(t2)}`);
    expect(err.message).toContain(`read sha256:${sha(flip(t2, inT2()))}`);
    expect(err.message).toMatch(/diff_ids/);
  });

  it('docker save OCI-in-tar: a changed byte in an uncompressed blob fails against the manifest digest', async () => {
    const good = await ociArchive('oci-in-tar-good.tar', [t1, t2, t2]);
    const img = await loadImage({ kind: 'archive', path: good });
    expect(img.format).toBe('docker-archive-oci');
    expect(img.layers.every((l) => l.scan.digest === l.digest && l.scan.digestOf === 'stored')).toBe(true);
    const bad = await ociArchive('oci-in-tar-bad.tar', [t1, t2, t2], { stored: { 0: flip(t1, 700) } });
    const err = await failure(loadImage({ kind: 'archive', path: bad }));
    expect(err).toBeInstanceOf(InputError);
    expect(err.file).toBe(`blobs/sha256/${sha(t1)}`);
    expect(err.message).toMatch(/layer 0 does not match its digest \(corrupt or tampered blob\)/);
  });

  it('containerd-store archive: a gzip blob with a changed header byte fails (it still inflates fine)', async () => {
    const blobs = [gzipSync(t1), gzipSync(t2), gzipSync(t2)];
    const good = await ociArchive('ctrd-good.tar', blobs, { nested: true });
    expect((await loadImage({ kind: 'archive', path: good })).format).toBe('docker-archive-containerd');
    const bad = await ociArchive('ctrd-bad.tar', blobs, {
      nested: true,
      stored: { 1: flip(blobs[1]!, GZIP_MTIME) },
    });
    const err = await failure(loadImage({ kind: 'archive', path: bad }));
    expect(err).toBeInstanceOf(InputError);
    expect(err.file).toBe(`blobs/sha256/${sha(blobs[1]!)}`);
    expect(err.message).toContain(`read sha256:${sha(flip(blobs[1]!, GZIP_MTIME))}`);
  });

  it('OCI layout: a changed gzip blob, plain blob, zstd blob or config on disk fails, naming the blob file', async () => {
    const blobs = [gzipSync(t1), zstd(t2), t2];
    const tamper = async (name: string, i: number | 'config', change: (b: Buffer) => Buffer) => {
      const dir = await ociDir(name, blobs);
      const file =
        i === 'config'
          ? `blobs/sha256/${sha(config([t1, t2, t2].map((t) => `sha256:${sha(t)}`)))}`
          : `blobs/sha256/${sha(blobs[i]!)}`;
      const abs = path.join(dir, file);
      await fsp.writeFile(abs, change(await fsp.readFile(abs)));
      return { err: await failure(loadImage({ kind: 'oci', path: dir })), file };
    };
    // A zstd skippable frame after the data: the blob decodes to the same tar, only the stored bytes differ.
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4]);
    expect((await loadImage({ kind: 'oci', path: await ociDir('oci-good', blobs) })).layers).toHaveLength(3);
    for (const [name, i, change] of [
      ['oci-gz-bad', 0, (b: Buffer) => flip(b, GZIP_MTIME)],
      ['oci-zstd-bad', 1, (b: Buffer) => Buffer.concat([b, skippable])],
      ['oci-plain-bad', 2, (b: Buffer) => flip(b, inT2())],
    ] as const) {
      const { err, file } = await tamper(name, i, change);
      expect(err, name).toBeInstanceOf(InputError);
      expect(err.message, name).toMatch(/^layer \d does not match its digest/);
      expect(err.file, name).toBe(file);
    }
    const { err, file } = await tamper('oci-cfg-bad', 'config', (b) => flip(b, 2));
    expect(err.file).toBe(file);
    expect(err.message).toMatch(/config blob does not match its digest/);
  });

  it('verify: false reads a tampered image as its bytes are', async () => {
    const bad = await legacyArchive('legacy-noverify.tar', flip(t2, inT2()));
    const img = await loadImage({ kind: 'archive', path: bad }, { verify: false });
    expect(img.layers.map((l) => l.scan.digest)).toEqual([undefined, undefined, undefined]);
    expect(img.layers[1]!.scan.size).toBe(200);
  });

  it('the raw-read baseline (discard) reads every layer and parses none', async () => {
    const dir = await ociDir('oci-discard', [gzipSync(t1), zstd(t2), t2]);
    const img = await loadImage({ kind: 'oci', path: dir }, { discard: true });
    expect(img.layers.map((l) => [l.scan.tarSize, l.scan.entries.length, l.scan.compression])).toEqual([
      [t1.length, 0, 'gzip'],
      [t2.length, 0, 'zstd'],
      [t2.length, 0, 'none'],
    ]);
  });
});
