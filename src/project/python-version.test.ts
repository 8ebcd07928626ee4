import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { detectProject } from './detect.js';
import { parsePyProject } from './pyproject.js';
import {
  classifierHint,
  distrolessPreference,
  parsePythonVersionFile,
  parseRuntimeTxt,
  parseToolVersions,
  resolvePythonVersion,
} from './python-version.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pyver-'));
  for (const [f, t] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), t);
  }
  return dir;
}

const TODAY = '2026-11-25';

describe('version files', () => {
  it('.python-version: pyenv lines, comments, system, pypy, free-threaded', () => {
    const s = parsePythonVersionFile(
      ['# pinned', 'system', 'pypy3.10-7.3.12', '3.12.1', '3.11', 'miniconda3-latest', 'nonsense', '3.13t'],
      '.python-version',
    );
    expect(s.pins.map((p) => [p.raw, p.minor, p.source.line])).toEqual([
      ['3.12.1', '3.12', 4],
      ['3.11', '3.11', 5],
      ['3.13t', '3.13', 8],
    ]);
    expect(s.warnings.map((w) => w.code)).toEqual([
      'python-implementation',
      'python-implementation',
      'python-version-unreadable',
    ]);
    expect(s.notes.join()).toMatch(/"system"/);
  });
  it('runtime.txt and .tool-versions', () => {
    expect(parseRuntimeTxt(['', 'python-3.11.4'], 'runtime.txt').pins[0]).toMatchObject({
      minor: '3.11',
      raw: '3.11.4',
      source: { line: 2 },
    });
    expect(parseRuntimeTxt(['3.11'], 'runtime.txt').warnings[0]?.code).toBe('python-version-unreadable');
    expect(
      parseToolVersions(['nodejs 20.1.0', 'python 3.10.13 3.9.1  # two'], '.tool-versions').pins[0],
    ).toMatchObject({ minor: '3.10', source: { line: 2 } });
  });
});

describe('resolvePythonVersion precedence', () => {
  it('.python-version beats runtime.txt, .tool-versions and requires-python, and says so', async () => {
    const root = project({
      '.python-version': '3.12.3\n',
      'runtime.txt': 'python-3.11.4\n',
      '.tool-versions': 'python 3.12.0\n',
    });
    const r = await resolvePythonVersion({
      root,
      appDir: '.',
      constraints: [
        { spec: '>=3.10', label: 'requires-python', source: { file: 'pyproject.toml', line: 4 } },
      ],
      today: TODAY,
    });
    expect(r.version).toBe('3.12');
    expect(r.decision.reason).toMatch(/^\.python-version pins 3\.12\.3; images are tagged per minor/);
    expect(r.decision.source).toEqual({ file: '.python-version', line: 1 });
    expect(r.decisions.map((d) => [d.topic, d.value])).toEqual([
      ['pythonVersion (ignored)', '3.11.4'],
      ['pythonVersion (ignored)', '3.12.0'],
      ['pythonVersion (range)', 'requires-python ">=3.10"'],
    ]);
    expect(r.warnings.map((w) => w.code)).toEqual(['python-mismatch']);
  });

  it('the override beats every file', async () => {
    const root = project({ '.python-version': '3.12\n' });
    const r = await resolvePythonVersion({
      root,
      appDir: '.',
      override: { value: '3.13', label: '--python', source: { file: '(command line)' } },
      constraints: [],
      today: TODAY,
    });
    expect(r.version).toBe('3.13');
  });

  it('app directory files are read before the top ones', async () => {
    const root = project({ '.python-version': '3.11\n', 'backend/.python-version': '3.12\n' });
    const r = await resolvePythonVersion({ root, appDir: 'backend', constraints: [], today: TODAY });
    expect(r.version).toBe('3.12');
    expect(r.decision.source?.file).toBe('backend/.python-version');
  });

  it('Pipfile [requires] python_full_version beats python_version', async () => {
    const root = project({});
    const r = await resolvePythonVersion({
      root,
      appDir: '.',
      pipfileRequires: {
        python_version: '3.10',
        python_full_version: '3.11.6',
        file: 'Pipfile',
        line: (k) => (k === 'python_version' ? 10 : 11),
      },
      constraints: [],
      today: TODAY,
    });
    expect(r.version).toBe('3.11');
    expect(r.decision.source).toEqual({ file: 'Pipfile', line: 11 });
  });

  it('requires-python resolves to the newest released minor inside it', async () => {
    const r = await resolvePythonVersion({
      root: project({}),
      appDir: '.',
      constraints: [
        { spec: '>=3.9,<3.13', label: 'requires-python', source: { file: 'pyproject.toml', line: 3 } },
      ],
      today: TODAY,
    });
    expect(r.version).toBe('3.12');
    expect(r.decision.reason).toMatch(/newest released CPython admitted by requires-python ">=3\.9,<3\.13"/);
  });

  it('ranges from several sources intersect (pyproject and uv.lock)', async () => {
    const r = await resolvePythonVersion({
      root: project({}),
      appDir: '.',
      constraints: [
        { spec: '>=3.10', label: 'requires-python', source: { file: 'pyproject.toml', line: 3 } },
        { spec: '>=3.10,<3.12', label: 'uv.lock requires-python', source: { file: 'uv.lock', line: 2 } },
      ],
      today: TODAY,
    });
    expect(r.version).toBe('3.11');
  });

  it('Poetry constraints are translated (^3.10 admits 3.15, ~3.11 only 3.11, || is a union)', async () => {
    const root = project({});
    const run = (spec: string) =>
      resolvePythonVersion({
        root,
        appDir: '.',
        constraints: [],
        poetryConstraints: [{ spec, label: 'Poetry python', source: { file: 'pyproject.toml', line: 9 } }],
        today: TODAY,
      });
    // 3.15 (2026-10-09) is under six months old on TODAY: the release-age rule keeps 3.14.
    expect((await run('^3.10')).version).toBe('3.14');
    expect((await run('~3.11')).version).toBe('3.11');
    expect((await run('~3.9 || ~3.10')).version).toBe('3.10');
  });

  it('a pin outside requires-python is kept, with python-conflict', async () => {
    const root = project({ '.python-version': '3.13\n' });
    const r = await resolvePythonVersion({
      root,
      appDir: '.',
      constraints: [{ spec: '<3.13', label: 'requires-python', source: { file: 'pyproject.toml', line: 5 } }],
      today: TODAY,
    });
    expect(r.version).toBe('3.13');
    expect(r.warnings.find((w) => w.code === 'python-conflict')?.message).toMatch(
      /Python 3\.13 \(from \.python-version:1\) is outside what the project admits/,
    );
  });

  it('warns on end of life', async () => {
    const r = await resolvePythonVersion({
      root: project({ 'runtime.txt': 'python-3.8.18' }),
      appDir: '.',
      constraints: [],
      today: TODAY,
    });
    expect(r.version).toBe('3.8');
    expect(r.warnings.find((w) => w.code === 'python-eol')?.message).toMatch(
      /^Python 3\.8 reached end of life on 2024-10-07/,
    );
  });

  it('defaults to the newest minor released six months ago; the newest stable one with wheel evidence', async () => {
    const r = await resolvePythonVersion({ root: project({}), appDir: '.', constraints: [], today: TODAY });
    expect(r.version).toBe('3.14');
    expect(r.decision.reason).toMatch(
      /the newest CPython released at least 6 months ago \(3\.15 came out on 2026-10-09/,
    );
    // Six months after 3.15's release it is picked.
    const later = await resolvePythonVersion({
      root: project({}),
      appDir: '.',
      constraints: [],
      today: '2027-04-09',
    });
    expect(later.version).toBe('3.15');
    const wheels = await resolvePythonVersion({
      root: project({}),
      appDir: '.',
      constraints: [],
      wheelEvidence: true,
      today: TODAY,
    });
    expect(wheels.version).toBe('3.15');
    expect(wheels.decision.reason).toMatch(/newest stable CPython$/);
  });

  it('the release-age rule never leaves the range: >=3.15 still gets 3.15', async () => {
    const r = await resolvePythonVersion({
      root: project({}),
      appDir: '.',
      constraints: [
        { spec: '>=3.15', label: 'requires-python', source: { file: 'pyproject.toml', line: 4 } },
      ],
      today: TODAY,
    });
    expect(r.version).toBe('3.15');
  });

  it('a ceiling steps down inside the range, with a decision at the pin; never below the range', async () => {
    const ceiling = {
      minor: '3.11',
      reason: 'greenlet==2.0.2 (requirements.txt:3) supports (greenlet 3.0.0 first supported 3.12)',
      source: { file: 'requirements.txt', line: 3 },
    };
    const run = (spec?: string) =>
      resolvePythonVersion({
        root: project({}),
        appDir: '.',
        constraints: spec
          ? [{ spec, label: 'requires-python', source: { file: 'pyproject.toml', line: 4 } }]
          : [],
        ceiling,
        today: TODAY,
      });
    const none = await run();
    expect(none.version).toBe('3.11');
    expect(none.decision.source).toEqual({ file: 'requirements.txt', line: 3 });
    expect(none.decision.reason).toMatch(/stepped down to 3\.11, the newest that greenlet==2\.0\.2/);
    const range = await run('>=3.9,<3.14');
    expect(range.version).toBe('3.11');
    expect(range.decisions).toContainEqual(
      expect.objectContaining({
        topic: 'pythonVersion (step down)',
        value: '3.13 -> 3.11',
        source: ceiling.source,
      }),
    );
    // The range admits nothing that old: its oldest minor, with a warning; the range's upper bound holds.
    const high = await run('>=3.12,<3.14');
    expect(high.version).toBe('3.12');
    expect(high.warnings.map((w) => w.code)).toContain('python-too-new');
  });

  it('--distroless prefers a distroless minor the range and the ceiling admit', async () => {
    const prefer = distrolessPreference();
    expect(prefer.minors).toEqual(['3.11', '3.13']);
    const run = (spec: string, ceiling?: { minor: string; reason: string }) =>
      resolvePythonVersion({
        root: project({}),
        appDir: '.',
        constraints: [{ spec, label: 'requires-python', source: { file: 'pyproject.toml', line: 4 } }],
        prefer,
        ...(ceiling ? { ceiling } : {}),
        today: TODAY,
      });
    expect((await run('>=3.9')).version).toBe('3.13');
    expect((await run('>=3.9', { minor: '3.12', reason: 'x' })).version).toBe('3.11');
    // Neither distroless minor admitted: the range's own choice (the image step then refuses).
    expect((await run('>=3.14')).version).toBe('3.14');
  });

  it('without a pin, follows the Python of a --base-image tag when the range admits it', async () => {
    const baseImage = { minor: '3.11', ref: 'mirror/python:3.11-slim', source: { file: '(command line)' } };
    const none = await resolvePythonVersion({
      root: project({}),
      appDir: '.',
      constraints: [],
      baseImage,
      today: TODAY,
    });
    expect(none.version).toBe('3.11');
    expect(none.decision.reason).toMatch(/base image mirror\/python:3\.11-slim runs Python 3\.11/);
    const range = (spec: string) =>
      resolvePythonVersion({
        root: project({}),
        appDir: '.',
        constraints: [{ spec, label: 'requires-python', source: { file: 'pyproject.toml', line: 3 } }],
        baseImage,
        today: TODAY,
      });
    expect((await range('>=3.10')).version).toBe('3.11');
    // Not admitted: the range decides (and chooseImages warns about the mismatch).
    expect((await range('>=3.12')).version).toBe('3.14');
    // A pin always wins over the image.
    const pinned = await resolvePythonVersion({
      root: project({ '.python-version': '3.12\n' }),
      appDir: '.',
      constraints: [],
      baseImage,
      today: TODAY,
    });
    expect(pinned.version).toBe('3.12');
  });

  it('an unknown version is an InputError at its file and line', async () => {
    const root = project({ '.python-version': '# comment\n3.99\n' });
    await expect(
      resolvePythonVersion({ root, appDir: '.', constraints: [], today: TODAY }),
    ).rejects.toMatchObject({
      name: 'InputError',
      file: '.python-version',
      line: 2,
    });
  });

  it('an unsatisfiable requires-python is an InputError', async () => {
    const p = resolvePythonVersion({
      root: project({}),
      appDir: '.',
      constraints: [{ spec: '>=4.0', label: 'requires-python', source: { file: 'pyproject.toml', line: 7 } }],
      today: TODAY,
    });
    await expect(p).rejects.toBeInstanceOf(InputError);
    await expect(p).rejects.toMatchObject({
      line: 7,
      message: expect.stringMatching(/no released CPython satisfies/),
    });
  });
});

describe('old minors (3.6, 3.7) still get a plan', () => {
  it('3.6: python:3.6-slim-bullseye, bullseye apt names, python-eol; --distroless refuses clearly', async () => {
    const root = project({
      '.python-version': '3.6\n',
      'requirements.txt': 'python-ldap==3.4.0\ncffi==1.15.0\n',
      'app.py': 'print("hi")\n',
    });
    const plan = await detectProject(root, { command: ['python', 'app.py'] });
    expect(plan.pythonVersion).toBe('3.6');
    expect(plan.image.runtime).toBe('python:3.6-slim-bullseye');
    expect(plan.system.runtime).toEqual(expect.arrayContaining(['libldap-2.4-2', 'libsasl2-2']));
    expect(plan.system.runtime).not.toContain('libldap-2.5-0');
    expect(plan.warnings.map((w) => w.code)).toContain('python-eol');
    await expect(detectProject(root, { command: ['python', 'app.py'], distroless: true })).rejects.toThrow(
      /no distroless Python image carries Python 3\.6/,
    );
  });

  it('3.7: python:3.7-slim-bookworm', async () => {
    const root = project({
      '.python-version': '3.7.17\n',
      'requirements.txt': 'six==1.16.0\n',
      'app.py': '',
    });
    expect((await detectProject(root, { command: ['python', 'app.py'] })).image.runtime).toBe(
      'python:3.7-slim-bookworm',
    );
  });
});

describe('classifiers are a hint, not a bound', () => {
  const pp = (classifiers: string[]) =>
    parsePyProject(
      `[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.9"\nclassifiers = [\n${classifiers.map((c) => `  "${c}",`).join('\n')}\n]\n`,
      'pyproject.toml',
    );
  const run = (classifiers: string[]) =>
    resolvePythonVersion({
      root: project({}),
      appDir: '.',
      constraints: [{ spec: '>=3.9', label: 'requires-python', source: { file: 'pyproject.toml', line: 4 } }],
      classifiers: classifierHint(pp(classifiers)),
      today: TODAY,
    });

  it('reads the 3.X classifiers with their line', () => {
    expect(
      classifierHint(pp(['Programming Language :: Python :: 3', 'Programming Language :: Python :: 3.11'])),
    ).toEqual({ minors: ['3.11'], source: { file: 'pyproject.toml', line: 5 } });
    expect(classifierHint(pp(['License :: OSI Approved :: MIT License']))).toBeUndefined();
  });

  it('caps the choice at the newest listed minor, inside the range', async () => {
    const r = await run(['Programming Language :: Python :: 3.11', 'Programming Language :: Python :: 3.12']);
    expect(r.version).toBe('3.12');
    expect(r.decision.reason).toMatch(
      /no newer than 3\.12, the newest minor the classifiers of pyproject\.toml:5 list/,
    );
  });

  it('stale classifiers (only end-of-life minors) are ignored', async () => {
    expect((await run(['Programming Language :: Python :: 3.8'])).version).toBe('3.14');
  });
});
