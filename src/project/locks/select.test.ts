import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectProject } from '../detect.js';
import { linuxEnvironment } from '../pep508.js';
import { lockedPackageIndex } from './select.js';

// A uv project whose resolution forks on the Python version: numpy 1.26.4 below 3.12, 2.1.0 above.
const LOCK = `version = 1
requires-python = ">=3.11"
resolution-markers = [
    "python_full_version >= '3.12'",
    "python_full_version < '3.12'",
]

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "numpy", version = "1.26.4", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.12'" },
    { name = "numpy", version = "2.1.0", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.12'" },
]

[package.metadata]
requires-dist = [{ name = "numpy" }]

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.12'"]
sdist = { url = "https://files.example/numpy-1.26.4.tar.gz" }
wheels = [{ url = "https://files.example/numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl" }]

[[package]]
name = "numpy"
version = "2.1.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.12'"]
sdist = { url = "https://files.example/numpy-2.1.0.tar.gz" }
wheels = [{ url = "https://files.example/numpy-2.1.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl" }]
`;

function project(python: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-fork-'));
  writeFileSync(
    path.join(dir, 'pyproject.toml'),
    '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = ["numpy"]\n',
  );
  writeFileSync(path.join(dir, 'uv.lock'), LOCK);
  writeFileSync(path.join(dir, '.python-version'), `${python}\n`);
  writeFileSync(path.join(dir, 'main.py'), 'import numpy\nprint(numpy.__version__)\n');
  return dir;
}

describe('detect applies uv resolution-markers', () => {
  it.each([
    ['3.11', '1.26.4'],
    ['3.13', '2.1.0'],
  ])('Python %s installs numpy %s only, once, from its own wheel', async (py, version) => {
    const plan = await detectProject(project(py));
    const numpy = plan.dependencies.filter((d) => d.name === 'numpy');
    expect(numpy.map((d) => d.version)).toEqual([version]);
    expect(numpy[0]?.buildsFromSource).toBeUndefined();
    expect(plan.native.filter((n) => n.package === 'numpy').length).toBeLessThanOrEqual(1);
    expect(plan.warnings.map((w) => w.code)).not.toContain('stale-lock');
  });
});

describe('lockedPackageIndex with per-version markers (poetry.lock 2.1)', () => {
  it('picks the version whose marker applies', () => {
    const pkg = (version: string, marker: string) => ({
      name: 'numpy',
      version,
      marker,
      wheels: [],
      sdist: true,
      sourceKind: 'registry',
      dependencies: [],
      optionalDependencies: {},
    });
    const lock = {
      packages: [pkg('1.24.4', 'python_version < "3.12"'), pkg('2.1.0', 'python_version >= "3.12"')],
    };
    expect(lockedPackageIndex(lock, linuxEnvironment('3.11'))({ name: 'numpy' })?.version).toBe('1.24.4');
    expect(lockedPackageIndex(lock, linuxEnvironment('3.12'))({ name: 'numpy' })?.version).toBe('2.1.0');
  });
});
