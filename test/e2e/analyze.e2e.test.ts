/**
 * `pycontain analyze` against images with known content, built in the testenv, every figure checked
 * against ground truth: the engine's own per-layer sizes (history API) and total (image inspect), and
 * the bytes the Dockerfile put in. The same image is read in every input shape (engine stream,
 * docker save OCI-in-tar, legacy docker-archive via skopeo, an OCI layout with zstd layers via
 * skopeo, and a containerd-store-shaped archive assembled here) and must give identical numbers.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalysisReport, analyzeImage } from '../../src/image/analyze.js';
import { resolveSource } from '../../src/image/archive.js';
import { compareReports } from '../../src/image/compare.js';
import {
  docker,
  dockerBuild,
  loadTestenv,
  removeImage,
  repoRoot,
  saveImage,
  type Testenv,
} from './support/index.js';

const WASTE_TAG = 'pycontain-dev/analyze-waste:e2e';
const NUMPY_TAG = 'pycontain-dev/analyze-numpy:e2e';

let env: Testenv;
let tmp: string;

function engineHistory(tag: string): Promise<Array<{ Size: number; CreatedBy: string }>> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: '/var/run/docker.sock',
        path: `/images/${encodeURIComponent(tag)}/history`,
        headers: { Host: 'd' },
      },
      (res) => {
        let s = '';
        res.on('data', (c) => {
          s += c;
        });
        res.on('end', () => resolve(JSON.parse(s)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function inspectSize(tag: string): Promise<number> {
  const r = await docker(['image', 'inspect', '--format', '{{.Size}}', tag]);
  return Number(r.stdout.trim());
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

function figures(r: AnalysisReport) {
  return {
    total: r.size.total,
    visible: r.size.visible,
    waste: r.size.waste,
    byCause: r.waste.byCause,
    layers: r.layers.map((l) => [l.size, l.files, l.wasteAdded, l.wasteHidden, l.createdBy]),
    findings: r.findings.map((f) => [f.id, f.bytes, f.wastedBytes]),
    dists: r.python.distributions.map((d) => [d.key, d.version, d.bytes]),
    user: r.user,
  };
}

/** A docker-archive shaped like the containerd image store's: nested index, compressed blobs, attestation. */
async function containerdShape(ociDir: string, out: string, tag: string): Promise<void> {
  const index = JSON.parse(await fsp.readFile(path.join(ociDir, 'index.json'), 'utf8'));
  const mdesc = index.manifests[0];
  const manifest = JSON.parse(
    await fsp.readFile(path.join(ociDir, 'blobs', ...mdesc.digest.split(':')), 'utf8'),
  );
  const attestation = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: manifest.config,
      layers: [],
    }),
  );
  const attDigest = `sha256:${createHash('sha256').update(attestation).digest('hex')}`;
  const imageIndex = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { ...mdesc, annotations: undefined, platform: { os: 'linux', architecture: 'amd64' } },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: attDigest,
          size: attestation.length,
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: {
            'vnd.docker.reference.type': 'attestation-manifest',
            'vnd.docker.reference.digest': mdesc.digest,
          },
        },
      ],
    }),
  );
  const idxDigest = `sha256:${createHash('sha256').update(imageIndex).digest('hex')}`;
  const top = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        digest: idxDigest,
        size: imageIndex.length,
        annotations: {
          'io.containerd.image.name': `docker.io/${tag}`,
          'org.opencontainers.image.ref.name': 'e2e',
        },
      },
    ],
  };
  const legacy = [
    {
      Config: `blobs/sha256/${manifest.config.digest.split(':')[1]}`,
      RepoTags: [tag],
      Layers: manifest.layers.map((l: { digest: string }) => `blobs/sha256/${l.digest.split(':')[1]}`),
    },
  ];
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const ended = new Promise<void>((r) => pack.on('end', () => r()));
  const add = (name: string, body: Buffer) =>
    new Promise<void>((resolve, reject) => pack.entry({ name }, body, (e) => (e ? reject(e) : resolve())));
  // Blobs first, index and manifest.json last, as `docker save` writes them.
  for (const b of await fsp.readdir(path.join(ociDir, 'blobs', 'sha256'))) {
    await add(`blobs/sha256/${b}`, await fsp.readFile(path.join(ociDir, 'blobs', 'sha256', b)));
  }
  await add(`blobs/sha256/${attDigest.slice(7)}`, attestation);
  await add(`blobs/sha256/${idxDigest.slice(7)}`, imageIndex);
  await add('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  await add('index.json', Buffer.from(JSON.stringify(top)));
  await add('manifest.json', Buffer.from(JSON.stringify(legacy)));
  pack.finalize();
  await ended;
  await fsp.writeFile(out, Buffer.concat(chunks));
}

beforeAll(async () => {
  env = await loadTestenv();
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-analyze-e2e-'));
  const ctx = path.join(tmp, 'ctx');
  await fsp.mkdir(ctx);
  await fsp.writeFile(path.join(ctx, 'data.bin'), randomBytes(200_000));
  await dockerBuild({
    context: ctx,
    tag: WASTE_TAG,
    dockerfileText: [
      `FROM ${env.debianSlim}`,
      'RUN head -c 3000000 /dev/urandom > /big && mkdir -p /root/.cache/pip/http && head -c 2000000 /dev/urandom > /root/.cache/pip/http/a && head -c 1000000 /dev/urandom > /root/.cache/pip/http/b',
      'RUN rm /big',
      'RUN rm -rf /root/.cache/pip',
      'RUN mkdir -p /opt/d/sub && head -c 500000 /dev/urandom > /opt/d/x && head -c 100000 /dev/urandom > /opt/d/sub/y',
      'RUN rm -rf /opt/d && mkdir /opt/d && echo new > /opt/d/z',
      'RUN head -c 400000 /dev/urandom > /h1 && ln /h1 /h2',
      'COPY data.bin /data/f',
      'RUN chown 1000:1000 /data/f',
      'RUN useradd -u 10001 -M app',
      'USER app',
      '',
    ].join('\n'),
  });
  await dockerBuild({
    context: ctx,
    tag: NUMPY_TAG,
    network: 'host',
    dockerfileText: [
      `FROM ${env.pythonSlim}`,
      `RUN pip install --index-url ${env.indexUrl} numpy==1.24.2`,
      '',
    ].join('\n'),
  });
});

afterAll(async () => {
  await removeImage(WASTE_TAG);
  await removeImage(NUMPY_TAG);
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

describe('analyze: waste, hard links, chown copies, user — against the engine and the bytes we put in', () => {
  let report: AnalysisReport;
  beforeAll(async () => {
    report = await analyzeImage(await resolveSource(WASTE_TAG));
  });

  it('layer sizes equal the engine history, total equals docker image inspect', async () => {
    const hist = (await engineHistory(WASTE_TAG)).reverse();
    expect(hist.length).toBe(report.history.length);
    for (const [i, h] of report.history.entries()) {
      if (h.layer !== null)
        expect(report.layers[h.layer]!.size, `layer ${h.layer} ${h.createdBy}`).toBe(hist[i]!.Size);
      else expect(hist[i]!.Size).toBe(0);
    }
    expect(report.size.total).toBe(await inspectSize(WASTE_TAG));
    expect(report.image.format).toBe('docker-archive-oci');
    expect(report.size.total - report.size.visible).toBe(
      Object.values(report.waste.byCause).reduce((a, b) => a + b, 0),
    );
  });

  it('instructions are matched to layers, including empty ones', () => {
    const byText = (s: string) => report.layers.find((l) => l.createdBy?.includes(s));
    expect(byText('rm /big')).toBeDefined();
    expect(byText('ln /h1 /h2')!.size).toBe(400_000);
    expect(report.history.some((h) => h.emptyLayer && h.createdBy.startsWith('USER app'))).toBe(true);
  });

  it('a deleted file and a deleted directory are exact waste, attributed to both layers', () => {
    const layerOf = (s: string) => report.layers.find((l) => l.createdBy?.includes(s))!.index;
    const add = layerOf('head -c 3000000');
    const big = report.waste.groups.find((g) => g.root === '/big')!;
    expect(big).toMatchObject({
      cause: 'deleted',
      bytes: 3_000_000,
      addedBy: add,
      hiddenBy: layerOf('rm /big'),
    });
    const pip = report.waste.groups.find((g) => g.root === '/root/.cache/pip')!;
    expect(pip).toMatchObject({
      cause: 'deleted',
      bytes: 3_000_000,
      files: 2,
      addedBy: add,
      hiddenBy: layerOf('rm -rf /root/.cache/pip'),
    });
    const f = report.findings.find((x) => x.id === 'pip-cache')!;
    expect(f.wastedBytes).toBe(3_000_000);
    expect(f.bytes).toBe(0);
    expect(report.findings.some((x) => x.id === 'deleted-in-later-layer')).toBe(true);
  });

  it('a directory removed and recreated hides all 600000 lower bytes (opaque or whiteouts)', () => {
    const hider = report.layers.find((l) => l.createdBy?.includes('rm -rf /opt/d'))!.index;
    const gs = report.waste.groups.filter((g) => g.hiddenBy === hider && g.root.startsWith('/opt/d'));
    expect(gs.reduce((a, g) => a + g.bytes, 0)).toBe(600_000);
    for (const g of gs) expect(['opaque', 'deleted']).toContain(g.cause);
  });

  it('a hard link adds no bytes, and a chown-only copy is attribute waste of exactly the file', () => {
    const chown = report.layers.find((l) => l.createdBy?.includes('chown 1000:1000'))!;
    const copy = report.layers.find((l) => l.createdBy?.startsWith('COPY data.bin'))!;
    expect(copy.size).toBe(200_000);
    expect(chown.size).toBe(200_000);
    const g = report.waste.groups.find((x) => x.cause === 'attributes')!;
    expect(g).toMatchObject({
      root: '/data',
      bytes: 200_000,
      files: 1,
      addedBy: copy.index,
      hiddenBy: chown.index,
    });
    expect(report.waste.byCause.attributes).toBe(200_000);
    expect(report.findings.find((f) => f.id === 'attribute-only-copy')).toBeUndefined(); // below the 1 MiB floor
  });

  it('flags the non-numeric USER and resolves its uid from /etc/passwd', () => {
    expect(report.user).toMatchObject({ configured: 'app', uid: 10001, root: false, numeric: false });
    expect(report.findings.map((f) => f.id)).toContain('non-numeric-user');
    expect(report.findings.map((f) => f.id)).not.toContain('root-user');
  });

  it('gives identical figures for every input shape', async () => {
    const saved = path.join(tmp, 'save.tar');
    await saveImage(WASTE_TAG, saved);
    const legacy = path.join(tmp, 'legacy.tar');
    run('skopeo', ['copy', '-q', `docker-archive:${saved}`, `docker-archive:${legacy}:${WASTE_TAG}`]);
    const zstdDir = path.join(tmp, 'oci-zstd');
    run('skopeo', [
      'copy',
      '-q',
      '--dest-compress-format',
      'zstd',
      `docker-archive:${saved}`,
      `oci:${zstdDir}:e2e`,
    ]);
    const gzDir = path.join(tmp, 'oci-gzip');
    run('skopeo', ['copy', '-q', `docker-archive:${saved}`, `oci:${gzDir}:e2e`]);
    const ctrd = path.join(tmp, 'containerd.tar');
    await containerdShape(gzDir, ctrd, WASTE_TAG);

    const want = figures(report);
    const shapes: Array<[string, string]> = [
      [saved, 'docker-archive-oci'],
      [legacy, 'docker-archive-legacy'],
      [zstdDir, 'oci-layout'],
      [ctrd, 'docker-archive-containerd'],
    ];
    for (const [input, format] of shapes) {
      const r = await analyzeImage(await resolveSource(input));
      expect(r.image.format, input).toBe(format);
      expect(figures(r), input).toEqual(want);
    }
    const z = await analyzeImage(await resolveSource(zstdDir));
    expect(z.layers.every((l) => l.compression === 'zstd' || l.size === 0)).toBe(true);
    expect(z.size.blobs).toBeLessThan(z.size.tar);
  });

  it('every layer blob is checked against its digest: one changed byte in a saved image is exit 2 naming the blob', async () => {
    // Every shape above already passed its digest checks (they are on by default). Now a real
    // `docker save` with one byte of the COPY layer's file data changed: the tar still parses.
    const saved = path.join(tmp, 'save-digest.tar');
    await saveImage(WASTE_TAG, saved);
    const data = await fsp.readFile(path.join(tmp, 'ctx', 'data.bin'));
    const members: Array<{ name: string; body: Buffer }> = [];
    const extract = tarStream.extract();
    const done = (async () => {
      for await (const entry of extract) {
        const parts: Buffer[] = [];
        for await (const c of entry) parts.push(c as Buffer);
        members.push({ name: entry.header.name, body: Buffer.concat(parts) });
      }
    })();
    extract.end(await fsp.readFile(saved));
    await done;
    const victim = members.find(
      (m) => m.body.indexOf(data.subarray(0, 64)) >= 0 && m.name.startsWith('blobs/'),
    );
    expect(victim, 'the blob holding data.bin').toBeDefined();
    const at = victim!.body.indexOf(data.subarray(0, 64)) + 1000;
    victim!.body = Buffer.from(victim!.body);
    victim!.body[at] = victim!.body[at]! ^ 0x01;
    const pack = tarStream.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    const ended = new Promise<void>((r) => pack.on('end', () => r()));
    for (const m of members)
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name: m.name }, m.body, (e) => (e ? reject(e) : resolve())),
      );
    pack.finalize();
    await ended;
    const bad = path.join(tmp, 'save-tampered.tar');
    await fsp.writeFile(bad, Buffer.concat(chunks));
    const main = path.join(repoRoot, 'dist/cli/main.js');
    const r = spawnSync(process.execPath, [main, 'analyze', bad], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(victim!.name);
    expect(r.stderr).toMatch(/does not match its digest/);
    // Asked not to check, it reads the same archive (the changed byte is file data, not structure).
    const unchecked = spawnSync(process.execPath, [main, 'analyze', bad, '--no-verify-digests', '--json'], {
      encoding: 'utf8',
    });
    expect(unchecked.status, unchecked.stderr).toBe(0);
    expect(JSON.parse(unchecked.stdout).report.layers.length).toBeGreaterThan(0);
  });

  it('the CLI exits 1 when a gate fails, 0 when all pass, 2 on bad input', () => {
    const main = path.join(repoRoot, 'dist/cli/main.js');
    const cli = (...a: string[]) =>
      spawnSync(process.execPath, [main, 'analyze', ...a], { encoding: 'utf8' });
    expect(cli(WASTE_TAG, '--max-waste', '1MB').status).toBe(1);
    expect(cli(WASTE_TAG, '--fail-on', 'non-numeric-user').status).toBe(1);
    const ok = cli(WASTE_TAG, '--max-size', '2GB', '--fail-on', 'error', '--json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).gates.passed).toBe(true);
    expect(cli(WASTE_TAG, '--fail-on', 'no-such-id').status).toBe(2);
    expect(cli('pycontain-dev/analyze-does-not-exist:nope').status).toBe(2);
  });
});

describe('analyze: numpy installed without libblas3', () => {
  let report: AnalysisReport;
  beforeAll(async () => {
    report = await analyzeImage(await resolveSource(NUMPY_TAG));
  });

  it('lists the missing libraries with their Debian packages and the distribution that needs them', () => {
    const names = report.native.missing.map((m) => m.soname);
    expect(names).toEqual(expect.arrayContaining(['libblas.so.3', 'liblapack.so.3']));
    const blas = report.native.missing.find((m) => m.soname === 'libblas.so.3')!;
    expect(blas.debianPackage).toBe('libblas3');
    expect(blas.distributions.some((d) => d.startsWith('numpy'))).toBe(true);
    const f = report.findings.find((x) => x.id === 'missing-shared-library')!;
    expect(f.severity).toBe('error');
    expect(f.fix).toContain('libblas3');
    // The import really fails in the image: the static check agrees with Python.
    const r = spawnSync('docker', ['run', '--rm', NUMPY_TAG, 'python3', '-c', 'import numpy'], {
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/libblas\.so\.3|liblapack\.so\.3/);
  });

  it('sizes numpy from RECORD exactly as the files on disk add up', async () => {
    const numpy = report.python.distributions.find((d) => d.key === 'numpy')!;
    expect(numpy.version).toBe('1.24.2');
    expect(numpy.sizedFrom).toBe('RECORD');
    const script = [
      'import importlib.metadata as m, os, glob',
      "d = m.distribution('numpy')",
      'files = set()',
      'for f in d.files:',
      '    p = os.path.normpath(str(d.locate_file(f)))',
      '    if os.path.isfile(p) and not os.path.islink(p): files.add(p)',
      "    if p.endswith('.py'):",
      "        for c in glob.glob(os.path.join(os.path.dirname(p), '__pycache__', os.path.basename(p)[:-3] + '.*.pyc')): files.add(c)",
      'meta = os.path.normpath(str(d._path))',
      'for r, _, fs in os.walk(meta):',
      '    for f in fs: files.add(os.path.join(r, f))',
      'seen = set(); total = 0',
      'for p in files:',
      '    st = os.lstat(p)',
      '    if (st.st_dev, st.st_ino) in seen: continue',
      '    seen.add((st.st_dev, st.st_ino)); total += st.st_size',
      'print(total, len(files))',
    ].join('\n');
    const r = spawnSync('docker', ['run', '--rm', '--entrypoint', 'python3', NUMPY_TAG, '-c', script], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const [bytes, files] = r.stdout.trim().split(' ').map(Number);
    expect(numpy.bytes).toBe(bytes);
    expect(numpy.files).toBe(files);
    expect(report.python.distributions[0]!.key).toBe('numpy'); // biggest first
  });

  it('sizes the pip cache the install left exactly, and compares against the base image', async () => {
    const script =
      "import os\nt=0\nfor r,ds,fs in os.walk('/root/.cache/pip'):\n    for f in fs: t+=os.lstat(os.path.join(r,f)).st_size\nprint(t)";
    const r = spawnSync('docker', ['run', '--rm', '--entrypoint', 'python3', NUMPY_TAG, '-c', script], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const onDisk = Number(r.stdout.trim());
    const f = report.findings.find((x) => x.id === 'pip-cache');
    expect(f?.bytes ?? 0).toBe(onDisk);
    if (onDisk > 0) expect(f?.paths).toContain('/root/.cache/pip');
    const base = await analyzeImage(await resolveSource(env.pythonSlim));
    const cmp = compareReports(base, report);
    expect(cmp.layers.shared).toBe(base.layers.length);
    expect(cmp.layers.added.length).toBe(1);
    expect(cmp.distributions.added.map((d) => d.name)).toContain('numpy');
    expect(cmp.size.total.delta).toBe(report.layers.at(-1)!.size);
    expect(cmp.findings.added).toContain('missing-shared-library');
  });
});

describe('analyze: bounded memory on a big image', () => {
  it('streams the ~1 GB full Python image from the engine within 150 MB peak RSS, total exact', async () => {
    const main = path.join(repoRoot, 'dist/cli/main.js');
    // Run the CLI in a child that reports its own peak RSS (worker threads included) on exit.
    const wrapper = `process.on('exit', () => process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n')); process.argv = [process.argv[0], ${JSON.stringify(main)}, 'analyze', ${JSON.stringify(env.pythonFull)}, '--json']; await import(${JSON.stringify(main)});`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', wrapper], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    expect(r.status, r.stderr).toBe(0);
    const rssKiB = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1]);
    expect(rssKiB).toBeGreaterThan(0);
    expect(rssKiB / 1024).toBeLessThanOrEqual(150);
    const out = JSON.parse(r.stdout);
    expect(out.report.size.total).toBe(await inspectSize(env.pythonFull));
    expect(out.report.size.tar).toBeGreaterThan(800e6);
  });
});
