import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDockerfile } from '../dockerfile/render.js';
import { detectProject } from './detect.js';
import { C_BUILD_PACKAGES, sourceBuildNeeds } from './source-builds.js';

describe('a compiler for C extensions that build from source', () => {
  const src = { file: 'uv.lock', line: 7 };

  it('a locked package with compiled wheels for other minors only: gcc and libc6-dev, at its lock line', () => {
    const r = sourceBuildNeeds(
      [
        {
          name: 'ujson',
          version: '5.1.0',
          wheels: ['ujson-5.1.0-cp310-cp310-manylinux_2_17_x86_64.whl'],
          buildsFromSource: true,
          source: src,
        },
      ],
      '3.13',
    );
    expect(r.build).toEqual(C_BUILD_PACKAGES);
    expect(r.decisions).toEqual([
      expect.objectContaining({ topic: 'native:ujson', value: 'build: gcc libc6-dev', source: src }),
    ]);
  });

  it('nothing for sdist-only packages without binary wheels, dev groups, or the native table', () => {
    const r = sourceBuildNeeds(
      [
        { name: 'oldpure', version: '1.0', wheels: [], buildsFromSource: true },
        {
          name: 'purewheel',
          version: '1.0',
          wheels: ['purewheel-1.0-py3-none-any.whl'],
          buildsFromSource: true,
        },
        {
          name: 'devthing',
          group: 'dev',
          wheels: ['devthing-1-cp310-cp310-manylinux_2_17_x86_64.whl'],
          buildsFromSource: true,
        },
        // psycopg2 is in data/native-packages.json, which brings its own build packages.
        {
          name: 'psycopg2',
          version: '2.9.9',
          buildsFromSource: true,
          wheels: ['psycopg2-2.9.9-cp311-cp311-win_amd64.whl'],
        },
      ],
      '3.13',
    );
    expect(r).toEqual({ build: [], decisions: [] });
  });

  it('a pin the python-ceilings table says predates the chosen minor (a pinned Python) compiles', () => {
    const r = sourceBuildNeeds([{ name: 'greenlet', version: '2.0.2', source: src }], '3.12');
    expect(r.build).toEqual(C_BUILD_PACKAGES);
    expect(r.decisions[0]?.reason).toMatch(/greenlet==2\.0\.2 has no wheel for CPython 3\.12/);
    expect(sourceBuildNeeds([{ name: 'greenlet', version: '2.0.2' }], '3.11').build).toEqual([]);
  });

  it('detect + render: a pinned Python 3.12 with greenlet 2.0.2 gets the compiler in the builder only', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-srcb-'));
    writeFileSync(path.join(dir, '.python-version'), '3.12\n');
    writeFileSync(path.join(dir, 'requirements.txt'), 'flask==2.2.2\ngunicorn==20.1.0\ngreenlet==2.0.2\n');
    writeFileSync(path.join(dir, 'app.py'), 'from flask import Flask\napp = Flask(__name__)\n');
    const plan = await detectProject(dir);
    expect(plan.system.build).toEqual(expect.arrayContaining(C_BUILD_PACKAGES));
    expect(plan.system.runtime).not.toContain('gcc');
    const text = renderDockerfile(plan);
    const [builder, runtime] = text.split(/^FROM .* AS runtime$/m);
    expect(builder).toMatch(/pkgs='gcc libc6-dev'/);
    expect(runtime).not.toMatch(/gcc/);
  });
});
