import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makeElf, makeMachO } from './__fixtures__/elf.js';
import { bytes, type FixtureEntry, makeTar } from './__fixtures__/tars.js';
import { type AnalysisReport, analyzeLoaded, cleanCreatedBy } from './analyze.js';
import type { ImageConfig, LoadedImage } from './archive.js';
import { compareReports } from './compare.js';
import { evaluateGates, parseSize, validateGates } from './gates.js';
import { scanLayer } from './layer.js';
import { parseLdCache } from './ldso.js';

async function image(layers: FixtureEntry[][], config: ImageConfig = {}): Promise<LoadedImage> {
  const out: LoadedImage = {
    name: 'test',
    format: 'oci-layout',
    tags: [],
    configDigest: null,
    config: { architecture: 'amd64', os: 'linux', ...config },
    layers: [],
    warnings: [],
  };
  for (const [i, l] of layers.entries()) {
    out.layers.push({
      digest: `sha256:${String(i).padStart(64, '0')}`,
      diffId: `sha256:${String(i).padStart(64, 'd')}`,
      mediaType: null,
      blob: `l${i}`,
      scan: await scanLayer(Readable.from([await makeTar(l)])),
    });
  }
  return out;
}

const SP = 'usr/local/lib/python3.11/site-packages';
const VENV = 'opt/venv/lib/python3.11/site-packages';
const elfSo = (spec: Parameters<typeof makeElf>[0]) => makeElf(spec);

async function pythonImage(): Promise<AnalysisReport> {
  const img = await image(
    [
      [
        { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
        { name: 'usr/lib/x86_64-linux-gnu/libz.so.1.2.13', content: elfSo({ soname: 'libz.so.1' }) },
        { name: 'usr/lib/x86_64-linux-gnu/libz.so.1', type: 'symlink', linkname: 'libz.so.1.2.13' },
        { name: 'usr/lib/x86_64-linux-gnu/libw.so.1', content: makeElf({ bits32: true }) },
        { name: 'usr/lib/x86_64-linux-gnu/loop.so.1', type: 'symlink', linkname: 'loop2.so' },
        { name: 'usr/lib/x86_64-linux-gnu/loop2.so', type: 'symlink', linkname: 'loop.so.1' },
        { name: 'etc/ld.so.conf', content: 'include /etc/ld.so.conf.d/*.conf\n' },
        { name: 'etc/ld.so.conf.d/opt.conf', content: '# extra\n/opt/lib\n' },
        { name: 'opt/lib/libbar.so.2', content: elfSo({ soname: 'libbar.so.2' }) },
        { name: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/bin/sh\n' },
        { name: 'usr/bin/gcc-12', content: bytes(3000), mode: 0o755 },
        { name: 'usr/include/python3.11/Python.h', content: bytes(1000) },
        {
          name: 'var/lib/dpkg/status',
          content:
            'Package: libpq-dev\nStatus: install ok installed\nInstalled-Size: 500\n\nPackage: libpq5\nStatus: install ok installed\nInstalled-Size: 900\n\nPackage: old-dev\nStatus: deinstall ok config-files\nInstalled-Size: 10\n',
        },
      ],
      [
        // system site-packages: RECORD with an empty .pyc row and a path that climbs out
        { name: `${SP}/foo/__init__.py`, content: bytes(100) },
        { name: `${SP}/foo/__pycache__/__init__.cpython-311.pyc`, content: bytes(40) },
        {
          name: `${SP}/foo/_ext.cpython-311-x86_64-linux-gnu.so`,
          content: elfSo({
            needed: ['libfoo.so.1', 'libz.so.1', 'libbar.so.2', 'libmissing.so.3', 'libw.so.1', 'loop.so.1'],
            runpath: '$ORIGIN/../foo.libs',
          }),
        },
        { name: `${SP}/foo.libs/libfoo.so.1`, content: elfSo({ soname: 'libfoo.so.1' }) },
        { name: `${SP}/foo/tests/test_a.py`, content: bytes(70) },
        {
          name: `${SP}/foo-1.0.dist-info/METADATA`,
          content: 'Metadata-Version: 2.1\nName: Foo\nVersion: 1.0\n',
        },
        {
          name: `${SP}/foo-1.0.dist-info/RECORD`,
          content: `foo/__init__.py,sha256=x,100\nfoo/__pycache__/__init__.cpython-311.pyc,,\n"foo/_ext.cpython-311-x86_64-linux-gnu.so",sha256=y,1\nfoo.libs/libfoo.so.1,,\nfoo/tests/test_a.py,,\nfoo-1.0.dist-info/METADATA,,\nfoo-1.0.dist-info/RECORD,,\n../../../bin/foo,,\n`,
        },
        { name: 'usr/local/bin/foo', content: bytes(30) },
        // an egg-info file, and a dist-info without RECORD
        {
          name: `${SP}/bar-2.0-py3.11.egg-info`,
          content: 'Metadata-Version: 1.1\nName: bar\nVersion: 2.0\n',
        },
        { name: `${SP}/baz/__init__.py`, content: bytes(500) },
        { name: `${SP}/baz-3.0.dist-info/top_level.txt`, content: 'baz\n' },
        { name: 'root/.cache/pip/http/x', content: bytes(5000) },
      ],
      [
        { name: 'opt/venv/pyvenv.cfg', content: 'home = /usr/bin\nversion = 3.11.2\n' },
        { name: `${VENV}/pip/__init__.py`, content: bytes(2000) },
        { name: `${VENV}/pip-23.0.dist-info/RECORD`, content: 'pip/__init__.py,,\n' },
        { name: `${VENV}/foo/__init__.py`, content: bytes(200) },
        { name: `${VENV}/foo-2.0.dist-info/RECORD`, content: 'foo/__init__.py,,\n' },
        // setuptools that gunicorn 20 requires (pkg_resources): a dependency, not a leftover
        { name: `${VENV}/setuptools/__init__.py`, content: bytes(300) },
        { name: `${VENV}/setuptools-66.1.1.dist-info/RECORD`, content: 'setuptools/__init__.py,,\n' },
        {
          name: `${VENV}/gunicorn-20.1.0.dist-info/METADATA`,
          content:
            'Metadata-Version: 2.1\nName: gunicorn\nVersion: 20.1.0\nRequires-Dist: setuptools (>=3.0)\nRequires-Dist: eventlet (>=0.24.1) ; extra == "eventlet"\n\nRequires-Dist: wheel (in the description)\n',
        },
        { name: 'app/.venv/pyvenv.cfg', content: 'home = /opt/homebrew/bin\n' },
        { name: 'app/.venv/lib/python3.11/site-packages/m/_x.so', content: makeMachO() },
        { name: 'app/.git/HEAD', content: 'ref: refs/heads/main\n' },
        { name: 'usr/bin/python3.11', content: bytes(10), mode: 0o755 },
      ],
      [{ name: 'root/.cache/.wh.pip', content: '' }],
    ],
    {
      config: { User: 'app', Env: ['PATH=/usr/bin'] },
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
        { created_by: '/bin/sh -c #(nop)  ENV A=b', empty_layer: true },
        { created_by: 'RUN /bin/sh -c pip install foo # buildkit' },
        { created_by: 'COPY . /app # buildkit' },
        { created_by: 'RUN /bin/sh -c rm -rf /root/.cache/pip # buildkit' },
        { created_by: 'USER app', empty_layer: true },
      ],
    },
  );
  return analyzeLoaded(img);
}

describe('analyzeLoaded on a hand-made Python image', () => {
  it('matches history to layers, empty entries in between', async () => {
    const r = await pythonImage();
    expect(r.layers.map((l) => l.createdBy)).toEqual([
      'ADD file:abc in /',
      'RUN pip install foo',
      'COPY . /app',
      'RUN rm -rf /root/.cache/pip',
    ]);
    expect(r.layers[1]!.emptyBefore).toEqual(['ENV A=b']);
    expect(r.history).toHaveLength(6);
    expect(cleanCreatedBy('|2 A=1 B=2 /bin/sh -c make')).toBe('RUN make');
  });

  it('sizes distributions from RECORD (empty rows stat the file, ../ climbs out), egg-info files and top_level.txt', async () => {
    const r = await pythonImage();
    const foo = r.python.distributions.find((d) => d.key === 'foo' && d.venv === null)!;
    const extSize = elfSo({
      needed: ['libfoo.so.1', 'libz.so.1', 'libbar.so.2', 'libmissing.so.3', 'libw.so.1', 'loop.so.1'],
      runpath: '$ORIGIN/../foo.libs',
    }).length;
    const metaLen = 'Metadata-Version: 2.1\nName: Foo\nVersion: 1.0\n'.length;
    const recordLen = r.python.distributions.length && 0;
    expect(foo.name).toBe('Foo');
    expect(foo.version).toBe('1.0');
    expect(foo.sizedFrom).toBe('RECORD');
    expect(foo.files).toBe(8);
    expect(foo.bytes).toBeGreaterThan(
      100 + 40 + extSize + elfSo({ soname: 'libfoo.so.1' }).length + 70 + metaLen + 30 + recordLen,
    );
    const bar = r.python.distributions.find((d) => d.key === 'bar')!;
    expect(bar).toMatchObject({
      version: '2.0',
      bytes: 'Metadata-Version: 1.1\nName: bar\nVersion: 2.0\n'.length,
    });
    const baz = r.python.distributions.find((d) => d.key === 'baz')!;
    expect(baz).toMatchObject({ version: '3.0', sizedFrom: 'top_level.txt', bytes: 500 + 4 });
    expect(r.python.distributions.map((d) => d.bytes)).toEqual(
      [...r.python.distributions.map((d) => d.bytes)].sort((a, b) => b - a),
    );
    expect(r.python.environments.find((e) => e.venv === '/opt/venv')?.version).toBe('3.11.2');
  });

  it('resolves DT_NEEDED like ld.so: $ORIGIN runpath, symlinks across /lib, ld.so.conf.d, wrong class, loops', async () => {
    const r = await pythonImage();
    const missing = Object.fromEntries(r.native.missing.map((m) => [m.soname, m]));
    expect(Object.keys(missing).sort()).toEqual(['libmissing.so.3', 'libw.so.1', 'loop.so.1']);
    expect(missing['libw.so.1']!.reason).toBe('incompatible');
    expect(missing['loop.so.1']!.reason).toBe('loop');
    expect(missing['libmissing.so.3']!.distributions).toEqual(['Foo 1.0']);
    expect(r.findings.find((f) => f.id === 'missing-shared-library')?.severity).toBe('error');
  });

  it('reports a stale ld.so.cache: a library only in an ld.so.conf directory is missing at run time', async () => {
    const cache = Buffer.alloc(48 + 24 + 48);
    cache.write('glibc-ld.so.cache1.1', 0, 'latin1');
    cache.writeUInt32LE(1, 20);
    cache.writeUInt32LE(72, 48 + 4);
    cache.writeUInt32LE(72 + 10, 48 + 8);
    cache.write('libz.so.1\0/lib/x86_64-linux-gnu/libz.so.1\0', 72, 'latin1');
    expect(parseLdCache(cache)?.get('libz.so.1')).toEqual(['/lib/x86_64-linux-gnu/libz.so.1']);
    const img = await image([
      [
        { name: 'etc/ld.so.cache', content: cache },
        { name: 'etc/ld.so.conf', content: '/opt/lib\n' },
        { name: 'opt/lib/libbar.so.2', content: elfSo({}) },
        { name: 'usr/lib/x86_64-linux-gnu/libz.so.1', content: elfSo({}) },
        { name: `${SP}/e.so`, content: elfSo({ needed: ['libbar.so.2', 'libz.so.1'] }) },
      ],
    ]);
    const r = analyzeLoaded(img);
    expect(r.native.missing.map((m) => [m.soname, m.note])).toEqual([
      ['libbar.so.2', 'present in /opt/lib/libbar.so.2 but not in /etc/ld.so.cache: run ldconfig'],
    ]);
  });

  it('emits the Python findings with bytes and layers', async () => {
    const r = await pythonImage();
    const ids = r.findings.map((f) => f.id);
    for (const id of [
      'pip-cache',
      'build-toolchain',
      'pip-in-runtime-venv',
      'duplicate-venv',
      'duplicate-distribution',
      'git-directory',
      'host-venv',
      'foreign-binary',
      'pycache',
      'tests-in-site-packages',
      'non-numeric-user',
    ]) {
      expect(ids, id).toContain(id);
    }
    const tools = r.findings.find((f) => f.id === 'pip-in-runtime-venv')!;
    expect(tools.title).toBe('pip inside the runtime virtualenv');
    expect(tools.detail).toBe('pip 23.0 in /opt/venv; setuptools kept: required by gunicorn 20.1.0');
    const gunicorn = r.python.distributions.find((d) => d.key === 'gunicorn')!;
    expect(gunicorn.requires).toEqual(['setuptools']);
    const pip = r.findings.find((f) => f.id === 'pip-cache')!;
    expect(pip).toMatchObject({ bytes: 0, wastedBytes: 5000, paths: ['/root/.cache/pip'], layers: [1] });
    const tool = r.findings.find((f) => f.id === 'build-toolchain')!;
    expect(tool.detail).toContain('libpq-dev');
    expect(tool.detail).not.toContain('old-dev');
    expect(tool.paths).toEqual(['/usr/bin/gcc-12', '/usr/include/python3.11']);
    expect(r.findings.find((f) => f.id === 'host-venv')!.paths).toEqual(['/app/.venv']);
    expect(r.findings.find((f) => f.id === 'foreign-binary')!.paths).toEqual([
      '/app/.venv/lib/python3.11/site-packages/m/_x.so',
    ]);
    expect(r.findings.find((f) => f.id === 'tests-in-site-packages')!.paths).toEqual([`/${SP}/foo/tests`]);
    expect(r.user).toMatchObject({ uid: 10001, root: false, numeric: false });
    expect(r.findings.map((f) => f.severity)).toEqual(
      [...r.findings.map((f) => f.severity)].sort(
        (a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b),
      ),
    );
  });

  it('user: unset is root, numeric non-root is clean, unknown names are errors', async () => {
    const root = analyzeLoaded(await image([[{ name: 'x', content: 'x' }]]));
    expect(root.user).toMatchObject({ configured: '', root: true, uid: 0 });
    expect(root.findings.map((f) => f.id)).toEqual(['root-user']);
    const num = analyzeLoaded(
      await image([[{ name: 'x', content: 'x' }]], { config: { User: '10001:10001' } }),
    );
    expect(num.findings).toEqual([]);
    const unknown = analyzeLoaded(
      await image([[{ name: 'etc/passwd', content: 'root:x:0:0::/:/bin/sh\n' }]], {
        config: { User: 'ghost' },
      }),
    );
    expect(unknown.findings.map((f) => f.id)).toEqual(['unknown-user', 'non-numeric-user']);
  });
});

describe('gates and comparison', () => {
  it('parses sizes and rejects bad gate options', () => {
    expect(parseSize('150MB', 'x')).toBe(150e6);
    expect(parseSize('1.5GiB', 'x')).toBe(1.5 * 2 ** 30);
    expect(parseSize('42', 'x')).toBe(42);
    expect(() => parseSize('lots', '--max-size')).toThrow(/--max-size/);
    expect(() => validateGates({ failOn: ['pip-cahce'] })).toThrow(/unknown finding id/);
    expect(() => validateGates({ maxWaste: '5%' })).not.toThrow();
  });

  it('evaluates size, waste (bytes or share) and finding gates', async () => {
    const r = await pythonImage();
    expect(evaluateGates(r, { maxSize: '1GB' }).passed).toBe(true);
    expect(evaluateGates(r, { maxSize: '10' }).passed).toBe(false);
    expect(evaluateGates(r, { maxWaste: '4999' }).passed).toBe(false);
    expect(evaluateGates(r, { maxWaste: '5000' }).passed).toBe(true);
    expect(evaluateGates(r, { maxWaste: '0.0001%' }).passed).toBe(false);
    expect(evaluateGates(r, { failOn: ['uv-cache'] }).passed).toBe(true);
    const g = evaluateGates(r, { failOn: ['error'] });
    expect(g.passed).toBe(false);
    expect(g.results[0]!.actual).toContain('missing-shared-library');
  });

  it('compares by diff_id then instruction, never by index', async () => {
    const a = analyzeLoaded(
      await image([
        [{ name: 'a', content: bytes(10) }],
        [
          { name: `${SP}/x-1.0.dist-info/RECORD`, content: 'x.py,,\n' },
          { name: `${SP}/x.py`, content: bytes(100) },
        ],
      ]),
    );
    const bImg = await image([
      [{ name: 'a', content: bytes(10) }],
      [{ name: 'new', content: bytes(7) }],
      [
        { name: `${SP}/x-2.0.dist-info/RECORD`, content: 'x.py,,\n' },
        { name: `${SP}/x.py`, content: bytes(150) },
        { name: `${SP}/y-1.0.dist-info/RECORD`, content: '' },
      ],
    ]);
    bImg.layers[1]!.diffId = 'sha256:other';
    bImg.layers[2]!.diffId = 'sha256:third';
    const b = analyzeLoaded(bImg);
    const c = compareReports(a, b);
    expect(c.layers).toMatchObject({ before: 2, after: 3, shared: 1 });
    expect(c.layers.added).toHaveLength(2);
    expect(c.distributions.added.map((d) => d.name)).toEqual(['y']);
    expect(c.distributions.changed).toEqual([
      expect.objectContaining({ name: 'x', before: '1.0', after: '2.0', delta: 50 }),
    ]);
    expect(c.size.total.delta).toBe(b.size.total - a.size.total);
  });
});
