import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKER_MARKER, CHECKER_PY } from './checker.js';

// The checker runs inside images with their own interpreter; here the host's python3 runs it, on a
// fake site-packages, to pin its PEP 440 / PEP 508 logic and its report shape.
let dir: string;
let script: string;

function py(code: string): string {
  const r = spawnSync(
    'python3',
    [
      '-S',
      '-c',
      `import sys\nsys.argv=['x']\nexec(open(${JSON.stringify(script)}).read().replace('if __name__ == "__main__":', 'if False:'))\n${code}`,
    ],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-checker-test-'));
  script = path.join(dir, 'checker.py');
  await fsp.writeFile(script, CHECKER_PY);
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('checker script: PEP 440 specifiers', () => {
  const cases: [string, string, boolean][] = [
    ['1.0', '>=1.0', true],
    ['1.0rc1', '>=1.0', false],
    ['2.0', '<2', false],
    ['2.0b1', '<2', false],
    ['1.9.9', '<2', true],
    ['1.7.post1', '>1.7', false],
    ['1.7.post1', '>=1.7', true],
    ['1.8', '>1.7', true],
    ['1.4.5', '~=1.4.2', true],
    ['1.5', '~=1.4.2', false],
    ['2.2.1', '==2.2.*', true],
    ['2.3', '==2.2.*', false],
    ['2.3', '!=2.2.*', true],
    ['1.0+local.7', '==1.0', true],
    ['1.0', '!=1.0', false],
    ['1.0.0', '==1', true],
    ['3.2.19', '>=3.2,<4', true],
    ['1!1.0', '>=2.0', true],
    ['1.0.dev1', '<1.0', false], // a pre-release of the excluded version itself
    ['0.9.dev1', '<1.0', true],
    ['1.0', '===1.0', true],
    ['not-a-version', '>=1', true],
  ];
  it.each(cases)('%s %s -> %s', (version, spec, expected) => {
    expect(py(`print(specifier_match(${JSON.stringify(version)}, ${JSON.stringify(spec)}))`)).toBe(
      expected ? 'True' : 'False',
    );
  });
});

describe('checker script: PEP 508 markers and requirements', () => {
  it('evaluates markers against the running interpreter, with extras', () => {
    const out = py(`
env = marker_env()
env["python_version"] = "3.11"; env["python_full_version"] = "3.11.2"; env["sys_platform"] = "linux"; env["platform_machine"] = "x86_64"
for m, ex in [('python_version >= "3.8"', set()), ('python_version < "3.8" or sys_platform == "win32"', set()),
              ('extra == "socks"', set()), ('extra == "Socks"', {"socks"}), ('(os_name == "posix" and platform_machine in "x86_64 aarch64")', set()),
              ('python_full_version < "3.11.3" and implementation_name == "cpython"', set()), ("'linux' == sys_platform", set())]:
    print(eval_marker(parse_marker(m), env, ex))
`);
    expect(out.split('\n')).toEqual(['True', 'False', 'False', 'True', 'True', 'True', 'True']);
  });

  it('parses requirement strings as they appear in Requires-Dist', () => {
    const out = py(`
import json
print(json.dumps(parse_requirement('requests[socks,Security] (>=2.0,<3) ; python_version >= "3.7"')))
print(json.dumps(parse_requirement('foo @ https://example.invalid/foo.whl')))
`);
    const [a, b] = out.split('\n').map((l) => JSON.parse(l));
    expect(a).toMatchObject({
      normalized: 'requests',
      extras: ['socks', 'security'],
      specifier: '>=2.0,<3',
      marker: 'python_version >= "3.7"',
    });
    expect(b).toMatchObject({ normalized: 'foo', url: 'https://example.invalid/foo.whl', specifier: '' });
  });
});

describe('checker script: full run', () => {
  it('reports unmet requirements, extras pulled in by dependents, tools and imports', async () => {
    const site = path.join(dir, 'venv', 'lib', 'python3', 'site-packages');
    const dist = async (name: string, version: string, requires: string[]) => {
      const d = path.join(site, `${name}-${version}.dist-info`);
      await fsp.mkdir(d, { recursive: true });
      await fsp.writeFile(
        path.join(d, 'METADATA'),
        `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n${requires.map((r) => `Requires-Dist: ${r}\n`).join('')}\n`,
      );
    };
    await dist('app', '1.0', ['web[async]>=2', 'old<1', 'missing-one', 'winonly; sys_platform == "win32"']);
    await dist('web', '2.5', ['anyio>=3; extra == "async"', 'never; extra == "other"']);
    await dist('old', '1.2', []);
    await dist('pip', '23.0.1', []);
    await dist('setuptools', '66.1.1', []);
    await dist('gunicorn', '20.1.0', ['setuptools>=3.0']);
    await fsp.writeFile(path.join(site, 'goodmod.py'), 'X = 1\n');
    await fsp.writeFile(
      path.join(site, 'badmod.py'),
      'raise ImportError("libpq.so.5: cannot open shared object file: No such file or directory")\n',
    );
    const r = spawnSync('python3', ['-S', script, JSON.stringify({ imports: ['goodmod', 'badmod'] })], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: site },
    });
    expect(r.status).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith(CHECKER_MARKER));
    const out = JSON.parse((line as string).slice(CHECKER_MARKER.length));
    const problems = out.dependencyProblems.map(
      (p: { requirement: string; problem: string }) => `${p.requirement}: ${p.problem}`,
    );
    expect(problems).toContain('old<1: installed old 1.2 does not satisfy it');
    expect(problems).toContain('missing-one: not installed');
    expect(problems).toContain('anyio>=3; extra == "async": not installed');
    expect(problems.join('\n')).not.toContain('winonly');
    expect(problems.join('\n')).not.toContain('never');
    expect(out.distributions.map((d: { name: string }) => d.name)).toEqual(
      expect.arrayContaining(['app', 'web', 'old', 'pip']),
    );
    // pip is a tool; setuptools is a run-time requirement of gunicorn 20 (pkg_resources), so it is not
    expect(out.tools).toEqual(['pip 23.0.1']);
    expect(out.imports).toEqual([
      { module: 'goodmod', ok: true },
      expect.objectContaining({ module: 'badmod', ok: false, missingLibrary: 'libpq.so.5' }),
    ]);
    expect(Array.isArray(out.compilers)).toBe(true);
    expect(Array.isArray(out.missingLibraries)).toBe(true);
  });
});
