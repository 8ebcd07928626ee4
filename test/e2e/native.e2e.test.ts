/**
 * The native table against reality: every compiled wheel of the test index (repacked from Debian,
 * so linked against Debian's shared libraries like a distro-built wheel) is installed into a
 * virtualenv, and the runtime packages nativeNeeds() picks for them must make every extension
 * resolve all its shared objects. The same virtualenv without those packages must miss libraries,
 * each of which debianPackageForSoname() maps to a package nativeNeeds() chose.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dependency } from '../../src/plan.js';
import { debianPackageForSoname, nativeNeeds } from '../../src/project/native.js';
import { dockerBuild, loadTestenv, removeImage, runOnce, wheelhouseManifest } from './support/index.js';

const FULL = 'pycontain-dev/native-e2e:full';
const BARE = 'pycontain-dev/native-e2e:bare';

// Lists every shared object an extension in the venv needs but the image lacks.
const MISSING = [
  'sh',
  '-c',
  `find /opt/venv -name '*.so' -o -name '*.so.*' | while read -r f; do ldd "$f" | sed -n 's/^\\s*\\(\\S*\\) => not found/\\1/p'; done | sort -u`,
];

// The build needs no files: an empty context.
const context = mkdtempSync(path.join(os.tmpdir(), 'pycontain-native-e2e-'));

afterAll(async () => {
  rmSync(context, { recursive: true, force: true });
  await removeImage(FULL);
  await removeImage(BARE);
});

describe('native table vs the test index (Debian linkage)', () => {
  it('the runtime packages chosen make every extension load, and without them libraries are missing', async () => {
    const env = await loadTestenv();
    const natives = (await wheelhouseManifest(env)).filter((e) => e.native);
    expect(natives.length).toBeGreaterThan(10);
    const deps: Dependency[] = natives.map((e) => ({ name: e.name, version: e.version, wheels: [e.wheel] }));
    const need = nativeNeeds(deps, '3.11', { debian: env.debian });
    // The facts the testenv README states.
    expect(need.runtime).toEqual(
      expect.arrayContaining(['libpq5', 'libblas3', 'liblapack3', 'libmariadb3', 'libxml2', 'libxslt1.1']),
    );
    // Wheels, not sdists: nothing is compiled.
    expect(need.build).toEqual([]);

    const pins = natives.map((e) => `${e.name}==${e.version}`).join(' ');
    const dockerfileText = [
      `FROM ${env.pythonSlim} AS builder`,
      'ARG PIP_INDEX_URL',
      // --no-deps: only the compiled wheels matter here, not their pure-Python requirements.
      `RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir --no-deps ${pins}`,
      `FROM ${env.pythonSlim} AS bare`,
      'COPY --from=builder /opt/venv /opt/venv',
      'FROM bare AS full',
      `RUN apt-get update && apt-get install -y --no-install-recommends ${need.runtime.join(' ')} && rm -rf /var/lib/apt/lists/*`,
      '',
    ].join('\n');
    const common = {
      context,
      dockerfileText,
      network: 'host' as const,
      buildArgs: { PIP_INDEX_URL: env.indexUrl },
    };
    await dockerBuild({ ...common, tag: BARE, target: 'bare' });
    await dockerBuild({ ...common, tag: FULL, target: 'full' });

    const full = await runOnce(FULL, MISSING);
    expect(full.code).toBe(0);
    expect(full.stdout.trim()).toBe('');

    const bare = await runOnce(BARE, MISSING);
    expect(bare.code).toBe(0);
    const missing = bare.stdout.split('\n').filter(Boolean);
    expect(missing).toEqual(expect.arrayContaining(['libpq.so.5', 'libblas.so.3', 'libmariadb.so.3']));
    for (const so of missing) {
      const pkg = debianPackageForSoname(so);
      expect(pkg, so).not.toBeNull();
      expect(need.runtime, so).toContain(pkg);
    }

    // And the modules import (those whose pure-Python requirements are in the image already).
    const imports = need.importChecks.filter((m) =>
      ['psycopg2', 'numpy', 'lxml.etree', 'MySQLdb', 'PIL.Image', 'yaml', 'uvloop', 'httptools'].includes(m),
    );
    expect(imports.length).toBeGreaterThanOrEqual(6);
    const imp = await runOnce(FULL, [
      '/opt/venv/bin/python',
      '-c',
      `import ${imports.join(', ')}; import yaml; yaml.CLoader`,
    ]);
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    const fails = await runOnce(BARE, ['/opt/venv/bin/python', '-c', 'import psycopg2']);
    expect(fails.code).not.toBe(0);
    expect(fails.stderr).toMatch(/libpq\.so\.5/);
  });
});
