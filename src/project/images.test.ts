import { describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import {
  baseImagesData,
  chooseImages,
  chooseImagesExplained,
  parseBaseImages,
  parseImageRef,
} from './images.js';
import { pythonReleases } from './python-releases.js';

const DIGEST = `sha256:${'a1'.repeat(32)}`;

function refusal(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).file).toBeUndefined();
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('base-images.json', () => {
  it('validates, and every Python minor defaults to a pinned Debian slim tag', () => {
    const d = baseImagesData();
    for (const [py, releases] of Object.entries(d.python)) {
      expect(releases.length).toBeGreaterThan(0);
      const img = chooseImages(py, {});
      expect(img.runtime).toBe(`python:${py}-slim-${releases[0]}`);
      expect(img.builder).toBe(img.runtime);
      expect(img.runtime).not.toMatch(/latest|alpine|:3$/);
    }
    // Each distroless image's Python is its Debian release's python3.
    for (const x of d.distroless) expect(d.debian[x.debian]?.python).toBe(x.python);
  });

  it("agrees with python-releases.json: the default release is each minor's preferred image suffix", () => {
    const d = baseImagesData();
    for (const r of pythonReleases()) {
      const releases = d.python[r.minor];
      if (!releases) continue; // minors before 3.8 have no generated images
      expect(`slim-${releases[0]}`, r.minor).toBe(r.preferredSuffix);
    }
    // Every released minor still supported has images here.
    for (const r of pythonReleases())
      if (r.endOfLife >= '2026-11-25') expect(d.python[r.minor], r.minor).toBeDefined();
  });

  it('rejects data naming an unknown release', () => {
    expect(() =>
      parseBaseImages(
        JSON.stringify({ pythonImage: 'python', python: { '3.12': ['sid'] }, debian: {}, distroless: [] }),
      ),
    ).toThrow(/unknown release sid/);
  });
});

describe('parseImageRef', () => {
  it.each([
    ['python:3.12-slim-bookworm', { name: 'python', tag: '3.12-slim-bookworm', digest: null }],
    ['pycontain.test/python:3.11-slim', { name: 'pycontain.test/python', tag: '3.11-slim', digest: null }],
    [
      'localhost:5000/mirror/python:3.12',
      { name: 'localhost:5000/mirror/python', tag: '3.12', digest: null },
    ],
    [`registry.example.com/py@${DIGEST}`, { name: 'registry.example.com/py', tag: null, digest: DIGEST }],
    [`python:3.12-slim@${DIGEST}`, { name: 'python', tag: '3.12-slim', digest: DIGEST }],
  ])('%s', (ref, expected) => {
    expect(parseImageRef(ref)).toEqual(expected);
  });

  it.each(['', 'Python:3.12', 'python:bad tag', 'python@sha256:short', 'python:3.12:x', 'a//b:1'])(
    'rejects %j',
    (ref) => {
      expect(() => parseImageRef(ref)).toThrow(InputError);
    },
  );
});

describe('chooseImages (slim)', () => {
  it('defaults to the official slim image on trixie with the python at /usr/local/bin', () => {
    const r = chooseImagesExplained('3.12', {});
    expect(r.image).toEqual({
      builder: 'python:3.12-slim-trixie',
      runtime: 'python:3.12-slim-trixie',
      debian: 'trixie',
      distroless: false,
      pythonPath: '/usr/local/bin/python3',
      builderPackages: [],
      pythonDevPackages: [],
    });
    expect(r.decisions[0]?.reason).toMatch(/Debian trixie/);
  });

  it('uses bookworm where trixie has no image, and on request', () => {
    expect(chooseImages('3.15', {}).runtime).toBe('python:3.15-slim-trixie');
    expect(chooseImages('3.8', {}).runtime).toBe('python:3.8-slim-bookworm');
    expect(chooseImages('3.13', { debian: 'bookworm' })).toMatchObject({
      runtime: 'python:3.13-slim-bookworm',
      debian: 'bookworm',
    });
    expect(refusal(() => chooseImages('3.8', { debian: 'trixie' })).message).toMatch(
      /available: bookworm, bullseye/,
    );
    expect(refusal(() => chooseImages('3.12', { debian: 'buster' })).message).toMatch(
      /unknown Debian release/,
    );
  });

  it('refuses unknown Python versions without an override', () => {
    expect(refusal(() => chooseImages('3.5', {})).message).toMatch(/no official python image.*--base-image/);
    expect(chooseImages('3.5', { baseImage: 'corp/python:3.5-slim-stretch' }).runtime).toBe(
      'corp/python:3.5-slim-stretch',
    );
    expect(refusal(() => chooseImages('three', {})).message).toMatch(/invalid Python version/);
  });

  it('a base-image override sets both stages and keeps its digest as the pin', () => {
    const img = chooseImages('3.11', {
      baseImage: `registry.example.com/mirror/python:3.11-slim-bookworm@${DIGEST}`,
    });
    expect(img).toMatchObject({
      builder: 'registry.example.com/mirror/python:3.11-slim-bookworm',
      runtime: 'registry.example.com/mirror/python:3.11-slim-bookworm',
      runtimeDigest: DIGEST,
      builderDigest: DIGEST,
      debian: 'bookworm',
      distroless: false,
    });
    const testenv = chooseImages('3.11', { baseImage: 'pycontain.test/python:3.11-slim' });
    expect(testenv.builder).toBe('pycontain.test/python:3.11-slim');
    expect(testenv.runtimeDigest).toBeUndefined();
  });

  it('a builder-image override only changes the builder; the runtime follows its Debian release', () => {
    const img = chooseImages('3.12', { builderImage: 'python:3.12-bookworm' });
    expect(img.builder).toBe('python:3.12-bookworm');
    expect(img.runtime).toBe('python:3.12-slim-bookworm');
    expect(img.debian).toBe('bookworm');
    // Extensions built against a newer glibc do not load on an older one: never pair them the other way.
    expect(chooseImages('3.12', { builderImage: 'corp/python-build:3.12' }).runtime).toBe(
      'python:3.12-slim-trixie',
    );
  });

  it('warns when the base image tag names another Python', () => {
    const r = chooseImagesExplained('3.12', { baseImage: 'pycontain.test/python:3.11-slim' });
    expect(r.warnings.map((w) => w.code)).toEqual(['base-image-python-mismatch']);
    expect(chooseImagesExplained('3.11', { baseImage: 'pycontain.test/python:3.11-slim' }).warnings).toEqual(
      [],
    );
    const d = chooseImagesExplained('3.11', { baseImage: 'debian:bookworm-slim' });
    expect(d.warnings.map((w) => w.code)).toEqual(['base-image-no-python']);
  });

  it.each(['python:3.12-alpine', 'python:3.12-alpine3.20', 'alpine:3.20', 'corp/alpine-python:3.12'])(
    'refuses Alpine (%s) and says why',
    (ref) => {
      const e = refusal(() => chooseImages('3.12', { baseImage: ref }));
      expect(e.message).toMatch(/Alpine/);
      expect(e.message).toMatch(/musl/);
      expect(e.message).toMatch(/slim/);
    },
  );

  it('refuses unpinned overrides', () => {
    expect(refusal(() => chooseImages('3.12', { baseImage: 'python' })).message).toMatch(/not pinned/);
    expect(refusal(() => chooseImages('3.12', { baseImage: 'python:latest' })).message).toMatch(/'latest'/);
    expect(chooseImages('3.12', { baseImage: `python@${DIGEST}` }).runtimeDigest).toBe(DIGEST);
  });
});

describe('chooseImages (distroless)', () => {
  it('Python 3.11 -> distroless debian12 with a Debian 12 builder that installs python3.11-venv', () => {
    const r = chooseImagesExplained('3.11', { distroless: true });
    expect(r.image).toEqual({
      builder: 'debian:bookworm-slim',
      runtime: 'gcr.io/distroless/python3-debian12:nonroot',
      debian: 'bookworm',
      distroless: true,
      pythonPath: '/usr/bin/python3.11',
      builderPackages: ['python3.11-venv'],
      pythonDevPackages: ['python3.11-dev'],
    });
  });

  it('Python 3.13 -> distroless debian13 with a trixie builder', () => {
    expect(chooseImages('3.13', { distroless: true })).toMatchObject({
      builder: 'debian:trixie-slim',
      runtime: 'gcr.io/distroless/python3-debian13:nonroot',
      debian: 'trixie',
      pythonPath: '/usr/bin/python3.13',
    });
  });

  it('refuses a Python that no distroless image carries, naming what each carries', () => {
    const e = refusal(() => chooseImages('3.12', { distroless: true }));
    expect(e.message).toMatch(/3\.12/);
    expect(e.message).toMatch(/python3-debian12:nonroot carries Python 3\.11/);
    expect(e.message).toMatch(/python3-debian13:nonroot carries Python 3\.13/);
    expect(e.message).toMatch(/without\s+--distroless/);
    const e2 = refusal(() => chooseImages('3.11', { distroless: true, debian: 'trixie' }));
    expect(e2.message).toMatch(/python3-debian13:nonroot carries Python 3\.13/);
  });

  it('test environment: stand-in distroless image and Debian or python stand-in builders', () => {
    const a = chooseImages('3.11', {
      distroless: true,
      distrolessImage: 'pycontain.test/distroless-python3:debian12',
      builderImage: 'pycontain.test/debian:bookworm-slim',
    });
    expect(a).toMatchObject({
      builder: 'pycontain.test/debian:bookworm-slim',
      runtime: 'pycontain.test/distroless-python3:debian12',
      pythonPath: '/usr/bin/python3.11',
      builderPackages: ['python3.11-venv'],
      debian: 'bookworm',
    });
    const b = chooseImages('3.11', {
      distroless: true,
      distrolessImage: 'pycontain.test/distroless-python3:debian12',
      baseImage: 'pycontain.test/python:3.11-slim',
    });
    expect(b.builder).toBe('pycontain.test/python:3.11-slim');
    expect(b.builderPackages).toEqual([]);
    const e = refusal(() =>
      chooseImages('3.12', {
        distroless: true,
        distrolessImage: 'pycontain.test/distroless-python3:debian12',
      }),
    );
    expect(e.message).toMatch(/pycontain.test\/distroless-python3:debian12 carries Python 3\.11/);
  });

  it('refuses an official python builder: its interpreter is not at /usr/bin', () => {
    const e = refusal(() =>
      chooseImages('3.11', { distroless: true, builderImage: 'python:3.11-slim-bookworm' }),
    );
    expect(e.message).toMatch(/\/usr\/local\/bin\/python3\.11/);
    expect(e.message).toMatch(/\/usr\/bin\/python3\.11/);
  });

  it('keeps a distroless digest pin', () => {
    const img = chooseImages('3.11', {
      distroless: true,
      distrolessImage: `gcr.io/distroless/python3-debian12@${DIGEST}`,
    });
    expect(img.runtime).toBe('gcr.io/distroless/python3-debian12');
    expect(img.runtimeDigest).toBe(DIGEST);
  });
});
