import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Dependency } from '../plan.js';
import { aptReleases } from '../util/apt-releases.js';
import {
  classifyWheels,
  debianPackageForSoname,
  debianPackageName,
  nativeNeeds,
  nativeTable,
  parseNativeData,
  parseWheelName,
} from './native.js';

// The table names bookworm's packages; trixie's come from its renames (tested below).
const BOOKWORM = { debian: 'bookworm' } as const;

// Every Debian package name the table uses, checked with `apt-cache policy` on Debian 12 (bookworm).
const VERIFIED_BOOKWORM = new Set(
  `libpq5 libpq-dev gcc g++ gfortran libc6-dev pkg-config default-libmysqlclient-dev libmariadb-dev libmariadb3
  libldap2-dev libldap-2.5-0 libsasl2-dev libsasl2-2 unixodbc-dev libodbc2 libxml2 libxml2-dev libxslt1-dev
  libxslt1.1 libjpeg62-turbo libjpeg62-turbo-dev zlib1g zlib1g-dev libfreetype-dev libfreetype6 liblcms2-dev
  liblcms2-2 libwebp-dev libwebp7 libwebpdemux2 libwebpmux3 libtiff-dev libtiff6 libopenjp2-7 libopenjp2-7-dev
  libimagequant0 libraqm0 libxcb1 libffi-dev libffi8 libssl-dev libssl3 cargo rustc libcairo2-dev libcairo2
  libblas-dev liblapack-dev libblas3 liblapack3 libgfortran5 libgl1 libglib2.0-0 poppler-utils ffmpeg libmagic1
  libpcre2-dev libpcre2-8-0 libxmlsec1-dev libxmlsec1 libxmlsec1-openssl libkrb5-dev libgssapi-krb5-2 libkrb5-3
  libgraphviz-dev libgvc6 libcgraph6 libcdt5 libyaml-dev libyaml-0-2 libhdf5-dev libhdf5-103-1 libgeos-dev
  libgeos-c1v5 libgdal-dev libgdal32 libzmq3-dev libzmq5 libuv1 libhttp-parser2.9 libstdc++6 libgcc-s1
  librdkafka-dev librdkafka1 portaudio19-dev libportaudio2 libpango-1.0-0 libpangoft2-1.0-0 tesseract-ocr
  libzbar0 libvips42 libproj-dev libproj25 proj-bin libc6 libgomp1 libexpat1 libbz2-1.0 liblzma5 libsqlite3-0
  libuuid1 libcurl4 libopenblas0-pthread libsodium23 libsnappy1v5 libgmp10 libreadline8 libncursesw6 libtinfo6
  libgeos3.11.1 libharfbuzz0b libfribidi0 libpng16-16 libxrender1 libsm6 libxext6`.split(/\s+/),
);
// Checked against trixie's Packages index.
const VERIFIED_TRIXIE_RENAMES = new Set(
  `libssl3t64 libglib2.0-0t64 libldap2 libmagic1t64 libxmlsec1t64 libxmlsec1t64-openssl libhdf5-310
  libgeos-c1t64 libgdal36 libuv1t64 libcurl4t64 libzbar0t64 libvips42t64 libreadline8t64 libpng16-16t64`.split(
    /\s+/,
  ),
);

const MANYLINUX = (name: string, v = '1.0') => [
  `${name}-${v}-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`,
  `${name}-${v}-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl`,
];
const DISTRO = (name: string, v = '1.0') => [`${name}-${v}-cp311-cp311-linux_x86_64.whl`];

describe('native table data', () => {
  it('validates and has the required coverage', () => {
    const names = nativeTable().map((e) => e.name);
    for (const required of [
      'psycopg2',
      'psycopg-c',
      'mysqlclient',
      'python-ldap',
      'pyodbc',
      'lxml',
      'pillow',
      'cffi',
      'cryptography',
      'pycairo',
      'numpy',
      'scipy',
      'opencv-python',
      'opencv-python-headless',
      'pdf2image',
      'pydub',
      'python-magic',
      'uwsgi',
      'xmlsec',
      'gssapi',
      'pygraphviz',
    ]) {
      expect(names).toContain(required);
    }
  });

  it('rejects malformed data', () => {
    expect(() => parseNativeData('{"packages":[{"name":"Bad_Name"}]}')).toThrow();
    const dup = JSON.stringify({
      packages: [
        { name: 'a', import: null, build: 'never', buildPackages: [], runtime: [], note: 'x' },
        { name: 'a', import: null, build: 'never', buildPackages: [], runtime: [], note: 'x' },
      ],
      implies: {},
      sonames: {},
      renames: {},
    });
    expect(() => parseNativeData(dup)).toThrow(/duplicate/);
  });
});

// One test per entry of data/native-packages.json: the package names are real Debian 12 names, and
// the decision follows the entry's build policy for each kind of recorded artefact.
describe.each(nativeTable().map((e) => [e.name, e] as const))('native entry %s', (name, entry) => {
  it('uses verified Debian package names and soname mappings', () => {
    for (const p of entry.buildPackages) expect(VERIFIED_BOOKWORM, p).toContain(p);
    for (const lib of entry.runtime) {
      expect(VERIFIED_BOOKWORM, lib.package).toContain(lib.package);
      for (const so of lib.sonames) expect(debianPackageForSoname(so)).toBe(lib.package);
      const renamed = debianPackageName(lib.package, 'trixie');
      if (renamed !== lib.package) expect(VERIFIED_TRIXIE_RENAMES).toContain(renamed);
    }
    expect(entry.note.length).toBeGreaterThan(10);
    if (entry.build !== 'never') expect(entry.buildPackages).toContain('gcc');
  });

  it('follows its build policy', () => {
    const always = entry.runtime.filter((l) => l.need === 'always').map((l) => l.package);
    const unvendored = entry.runtime.filter((l) => l.need !== 'distro-wheel').map((l) => l.package);
    const all = entry.runtime.map((l) => l.package);

    // Built from source (the lock records only an sdist).
    const src = nativeNeeds([{ name, version: '1.0', wheels: [], buildsFromSource: true }], '3.11', BOOKWORM);
    if (entry.build === 'never') {
      expect(src.build).toEqual([]);
    } else {
      expect(src.build).toEqual([...new Set(entry.buildPackages)].sort());
      expect(src.native[0]?.runtime ?? []).toEqual(unvendored);
    }

    // A manylinux wheel vendors everything except the 'always' libraries.
    const wheel = nativeNeeds([{ name, version: '1.0', wheels: MANYLINUX(name) }], '3.11', BOOKWORM);
    expect(wheel.build).toEqual([]);
    expect(wheel.native[0]?.runtime ?? []).toEqual(always);

    // A distro-built linux_x86_64 wheel (the test index) links the system libraries.
    const distro = nativeNeeds([{ name, version: '1.0', wheels: DISTRO(name) }], '3.11', BOOKWORM);
    expect(distro.build).toEqual([]);
    expect(distro.native[0]?.runtime ?? []).toEqual(all);

    // No wheel information (requirements.txt): build only sdist-only distributions, keep the libraries.
    const unknown = nativeNeeds([{ name, version: '1.0' }], '3.11', BOOKWORM);
    if (entry.build === 'always') {
      expect(unknown.build.length).toBeGreaterThan(0);
      expect(unknown.native[0]?.runtime ?? []).toEqual(unvendored);
    } else {
      expect(unknown.build).toEqual([]);
      expect(unknown.native[0]?.runtime ?? []).toEqual(all);
    }
    if (all.length > 0 && entry.import && !entry.unlessPresent)
      expect(unknown.importChecks).toContain(entry.import);
  });
});

describe('nativeNeeds decisions', () => {
  it('psycopg2 from requirements.txt: compiled against libpq, libpq5 at run time', () => {
    const r = nativeNeeds(
      [{ name: 'psycopg2', version: '2.9.5', source: { file: 'requirements.txt', line: 3 } }],
      '3.11',
    );
    expect(r.build).toEqual(['gcc', 'libc6-dev', 'libpq-dev']);
    expect(r.runtime).toEqual(['libpq5']);
    expect(r.native[0]).toMatchObject({ package: 'psycopg2', version: '2.9.5', sonames: ['libpq.so.5'] });
    expect(r.decisions[0]).toMatchObject({
      topic: 'native:psycopg2',
      source: { file: 'requirements.txt', line: 3 },
    });
    expect(r.decisions[0]?.reason).toMatch(/sdist/);
    expect(r.importChecks).toEqual(['psycopg2']);
  });

  it('psycopg2-binary needs nothing', () => {
    const r = nativeNeeds([{ name: 'psycopg2-binary', version: '2.9.9' }], '3.12');
    expect(r.native).toEqual([]);
    expect(r.build).toEqual([]);
    expect(r.runtime).toEqual([]);
    expect(r.decisions[0]?.value).toBe('no system packages');
  });

  it('numpy: manylinux wheel bundles OpenBLAS, the test index wheel needs libblas3/liblapack3', () => {
    expect(
      nativeNeeds([{ name: 'numpy', version: '1.26.4', wheels: MANYLINUX('numpy', '1.26.4') }], '3.11')
        .runtime,
    ).toEqual([]);
    expect(
      nativeNeeds([{ name: 'numpy', version: '1.24.2', wheels: DISTRO('numpy', '1.24.2') }], '3.11').runtime,
    ).toEqual(['libblas3', 'liblapack3']);
    // numpy 1.24 has no cp313 wheel: a source build with BLAS/LAPACK headers.
    const r = nativeNeeds(
      [{ name: 'numpy', version: '1.24.2', wheels: MANYLINUX('numpy', '1.24.2') }],
      '3.13',
    );
    expect(r.build).toContain('libblas-dev');
    expect(r.build).toContain('g++');
    expect(r.runtime).toEqual(['libblas3', 'liblapack3']);
  });

  it('opencv needs libGL and GLib even from a manylinux wheel', () => {
    const r = nativeNeeds(
      [{ name: 'opencv-python', version: '4.9.0.80', wheels: MANYLINUX('opencv_python') }],
      '3.11',
      BOOKWORM,
    );
    expect(r.runtime).toEqual(['libgl1', 'libglib2.0-0']);
    expect(r.build).toEqual([]);
    expect(r.native[0]?.sonames).toContain('libGL.so.1');
  });

  it('pyodbc wheel still needs the unixODBC driver manager', () => {
    const r = nativeNeeds([{ name: 'pyodbc', version: '5.1.0', wheels: MANYLINUX('pyodbc') }], '3.11');
    expect(r.runtime).toEqual(['libodbc2']);
    expect(r.build).toEqual([]);
  });

  it('psycopg (3) loads libpq unless psycopg-binary is installed', () => {
    expect(nativeNeeds([{ name: 'psycopg', version: '3.1.18' }], '3.11').runtime).toEqual(['libpq5']);
    const withBinary = nativeNeeds(
      [
        { name: 'psycopg', version: '3.1.18' },
        { name: 'psycopg-binary', version: '3.1.18' },
      ],
      '3.11',
    );
    expect(withBinary.runtime).toEqual([]);
    // psycopg[c] written in requirements.txt (extras kept by the reader): compile psycopg-c.
    const c = nativeNeeds([{ name: 'psycopg', version: '3.1.18', extras: ['c'] } as Dependency], '3.11');
    expect(c.build).toContain('libpq-dev');
    expect(c.runtime).toEqual(['libpq5']);
  });

  it('without a lock, known transitive natives are implied (pandas -> numpy, uvicorn[standard] -> uvloop)', () => {
    const r = nativeNeeds([{ name: 'pandas', version: '1.5.3' }], '3.11');
    expect(r.native.map((n) => n.package)).toContain('numpy');
    expect(r.runtime).toEqual(['libblas3', 'liblapack3']);
    expect(r.decisions.find((d) => d.topic === 'native:numpy')?.reason).toMatch(/pulled in by pandas/);
    const u = nativeNeeds([{ name: 'uvicorn', specifier: '[standard]>=0.20' }], '3.11', BOOKWORM);
    expect(u.runtime).toEqual(['libhttp-parser2.9', 'libuv1', 'libyaml-0-2']);
    // With a lock the closure is explicit and nothing is implied.
    const locked = nativeNeeds([{ name: 'pandas', version: '2.2.0', wheels: MANYLINUX('pandas') }], '3.11');
    expect(locked.native).toEqual([]);
  });

  it('dev dependencies are ignored', () => {
    expect(nativeNeeds([{ name: 'psycopg2', version: '2.9.5', group: 'dev' }], '3.11').native).toEqual([]);
    // ...unless the group is installed (the extras override).
    expect(
      nativeNeeds([{ name: 'psycopg2', version: '2.9.5', group: 'postgres' }], '3.11', {
        groups: ['postgres'],
      }).runtime,
    ).toEqual(['libpq5']);
  });

  it('defaults to the Debian release of the default image for the Python version', () => {
    // The official images default to trixie (Debian 13) for every minor that has it: t64 names.
    expect(
      nativeNeeds([{ name: 'cryptography', wheels: [], buildsFromSource: true }], '3.15').runtime,
    ).toEqual(['libssl3t64']);
    expect(
      nativeNeeds([{ name: 'cryptography', wheels: [], buildsFromSource: true }], '3.12').runtime,
    ).toEqual(['libssl3t64']);
    // 3.8 ended before trixie shipped: bookworm names.
    expect(
      nativeNeeds([{ name: 'cryptography', wheels: [], buildsFromSource: true }], '3.8').runtime,
    ).toEqual(['libssl3']);
  });

  it('renames packages and sonames for trixie', () => {
    const r = nativeNeeds([{ name: 'python-ldap', version: '3.4.4' }], '3.13', { debian: 'trixie' });
    expect(r.runtime).toEqual(['libldap2', 'libsasl2-2']);
    expect(r.native[0]?.sonames).toContain('libldap.so.2');
    expect(
      nativeNeeds([{ name: 'cryptography', wheels: [], buildsFromSource: true }], '3.13', {
        debian: 'trixie',
      }).runtime,
    ).toEqual(['libssl3t64']);
  });

  it('non-native dependencies produce nothing', () => {
    const r = nativeNeeds(
      [
        { name: 'flask', version: '2.2.2' },
        { name: 'Django', version: '3.2.19' },
      ],
      '3.11',
    );
    expect(r).toEqual({ native: [], build: [], runtime: [], decisions: [], importChecks: [] });
  });
});

describe('wheels', () => {
  it('parses wheel names', () => {
    expect(parseWheelName('numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toEqual(
      {
        python: ['cp312'],
        abi: ['cp312'],
        platform: ['manylinux_2_17_x86_64', 'manylinux2014_x86_64'],
      },
    );
    expect(parseWheelName('https://files/x/foo-1.0-1-py3-none-any.whl')?.platform).toEqual(['any']);
    expect(parseWheelName('foo-1.0.tar.gz')).toBeNull();
  });

  it('classifies for the chosen Python', () => {
    expect(classifyWheels(undefined, '3.11')).toBe('unknown');
    expect(classifyWheels([], '3.11')).toBe('none');
    expect(classifyWheels(['x-1-py3-none-any.whl'], '3.11')).toBe('pure');
    expect(classifyWheels(['x-1-cp310-cp310-manylinux2014_x86_64.whl'], '3.11')).toBe('none');
    expect(classifyWheels(['x-1-cp37-abi3-manylinux2014_x86_64.whl'], '3.11')).toBe('manylinux');
    expect(classifyWheels(['x-1-cp311-cp311-musllinux_1_1_x86_64.whl'], '3.11')).toBe('none');
    expect(
      classifyWheels(['x-1-cp311-cp311-win_amd64.whl', 'x-1-cp311-cp311-macosx_11_0_arm64.whl'], '3.11'),
    ).toBe('none');
    expect(classifyWheels(['x-1-cp311-cp311-linux_x86_64.whl'], '3.11')).toBe('distro');
    expect(
      classifyWheels(
        ['x-1-cp311-cp311-linux_x86_64.whl', 'x-1-cp311-cp311-manylinux_2_28_aarch64.whl'],
        '3.11',
      ),
    ).toBe('manylinux');
  });
});

describe('debianPackageForSoname', () => {
  it.each([
    ['libpq.so.5', 'libpq5'],
    ['libblas.so.3', 'libblas3'],
    ['liblapack.so.3', 'liblapack3'],
    ['libmariadb.so.3', 'libmariadb3'],
    ['libxml2.so.2', 'libxml2'],
    ['libxslt.so.1', 'libxslt1.1'],
    ['libexslt.so.0', 'libxslt1.1'],
    ['libjpeg.so.62', 'libjpeg62-turbo'],
    ['libz.so.1', 'zlib1g'],
    ['libGL.so.1', 'libgl1'],
    ['libglib-2.0.so.0', 'libglib2.0-0'],
    ['libgthread-2.0.so.0', 'libglib2.0-0'],
    ['libssl.so.3', 'libssl3'],
    ['libcrypto.so.3', 'libssl3'],
    ['libyaml-0.so.2', 'libyaml-0-2'],
    ['libuv.so.1', 'libuv1'],
    ['libhttp_parser.so.2.9', 'libhttp-parser2.9'],
    ['libstdc++.so.6', 'libstdc++6'],
    ['libgfortran.so.5', 'libgfortran5'],
    ['libodbc.so.2', 'libodbc2'],
    ['libmagic.so.1', 'libmagic1'],
    ['libldap-2.5.so.0', 'libldap-2.5-0'],
  ])('%s -> %s', (so, pkg) => {
    expect(debianPackageForSoname(so)).toBe(pkg);
  });

  it('answers for later releases and unknown names', () => {
    expect(debianPackageForSoname('libssl.so.3', 'trixie')).toBe('libssl3t64');
    expect(debianPackageForSoname('libldap.so.2', 'trixie')).toBe('libldap2');
    expect(debianPackageForSoname('libnothing.so.9')).toBeNull();
  });
});

describe('native table vs data/apt-releases.json', () => {
  it('every package it names for bookworm and for trixie (after renames) exists in that release', () => {
    const raw = JSON.parse(
      readFileSync(new URL('../../data/native-packages.json', import.meta.url), 'utf8'),
    ) as { sonames: Record<string, string> };
    const names = new Set<string>();
    for (const e of nativeTable()) {
      for (const p of e.buildPackages) names.add(p);
      for (const r of e.runtime) names.add(r.package);
    }
    for (const [so, p] of Object.entries(raw.sonames)) if (so !== '$comment') names.add(p);
    for (const release of ['bookworm', 'trixie']) {
      const missing = aptReleases().missing[release] ?? {};
      for (const n of names)
        expect(missing[debianPackageName(n, release)], `${release}: ${n}`).toBeUndefined();
    }
    expect(names.size).toBeGreaterThan(60);
  });
});

describe('one native entry per distribution', () => {
  it('a name listed twice gives one entry, from the listing with a version', () => {
    const r = nativeNeeds(
      [
        { name: 'psycopg2' },
        { name: 'Psycopg2', version: '2.9.9', source: { file: 'requirements/base.txt', line: 2 } },
      ],
      '3.12',
    );
    expect(r.native.map((n) => [n.package, n.version])).toEqual([['psycopg2', '2.9.9']]);
    expect(r.decisions.filter((d) => d.topic === 'native:psycopg2')).toHaveLength(1);
  });
});
