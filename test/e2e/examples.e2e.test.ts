/**
 * The example projects are real: every version they pin is one the testenv's index holds, every
 * hash a lock records is the sha256 of that index's file, Pipfile.lock's _meta hash is pipenv's,
 * no example ships a Dockerfile, and the uv examples (which no engine can build here, uv being
 * unavailable) install from their uv.lock and answer HTTP in a throwaway container.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  examplePath,
  listExamples,
  loadTestenv,
  repoRoot,
  type WheelhouseEntry,
  wheelhouseManifest,
} from './support/index.js';

const norm = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');

let manifest: WheelhouseEntry[] = [];
const byName = new Map<string, WheelhouseEntry>();
beforeAll(async () => {
  manifest = await wheelhouseManifest();
  for (const e of manifest) byName.set(norm(e.name), e);
});

interface Pin {
  name: string;
  version: string;
  hashes: string[];
  where: string;
}

function pinsOf(dir: string): Pin[] {
  const pins: Pin[] = [];
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  const has = (f: string) => existsSync(path.join(dir, f));
  const rel = path.basename(dir);
  for (const f of ['requirements.txt', 'backend/requirements.txt']) {
    if (!has(f)) continue;
    const text = read(f).replace(/\\\n/g, ' ');
    for (const line of text.split('\n')) {
      const m = /^\s*([A-Za-z0-9_.-]+)==([^\s;#]+)/.exec(line);
      if (m) {
        const hashes = [...line.matchAll(/--hash=sha256:([0-9a-f]{64})/g)].map((x) => x[1]!);
        pins.push({ name: m[1]!, version: m[2]!, hashes, where: `${rel}/${f}` });
      }
    }
  }
  if (has('poetry.lock')) {
    const lock = parseToml(read('poetry.lock')) as {
      package: { name: string; version: string; files: { hash: string }[] }[];
    };
    for (const p of lock.package)
      pins.push({
        name: p.name,
        version: p.version,
        hashes: p.files.map((f) => f.hash.replace(/^sha256:/, '')),
        where: `${rel}/poetry.lock`,
      });
  }
  if (has('pdm.lock')) {
    const lock = parseToml(read('pdm.lock')) as {
      package: { name: string; version: string }[];
      metadata: { files: Record<string, { hash: string }[]> };
    };
    for (const p of lock.package) {
      const files = lock.metadata.files[`${p.name} ${p.version}`] ?? [];
      pins.push({
        name: p.name,
        version: p.version,
        hashes: files.map((f) => f.hash.replace(/^sha256:/, '')),
        where: `${rel}/pdm.lock`,
      });
    }
  }
  if (has('uv.lock')) {
    const lock = parseToml(read('uv.lock')) as {
      package: {
        name: string;
        version: string;
        source: Record<string, string>;
        wheels?: { hash: string }[];
      }[];
    };
    for (const p of lock.package) {
      if (!('registry' in p.source)) continue;
      pins.push({
        name: p.name,
        version: p.version,
        hashes: (p.wheels ?? []).map((w) => w.hash.replace(/^sha256:/, '')),
        where: `${rel}/uv.lock`,
      });
    }
  }
  if (has('Pipfile.lock')) {
    const lock = JSON.parse(read('Pipfile.lock')) as Record<
      string,
      Record<string, { version: string; hashes: string[] }>
    >;
    for (const group of ['default', 'develop'])
      for (const [name, p] of Object.entries(lock[group] ?? {}))
        pins.push({
          name,
          version: p.version.replace(/^==/, ''),
          hashes: p.hashes.map((h) => h.replace(/^sha256:/, '')),
          where: `${rel}/Pipfile.lock`,
        });
  }
  return pins;
}

/** Python's json.dumps(obj, sort_keys=True, separators=(",", ":")) for ASCII data. */
function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${pyJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('example projects', async () => {
  const names = await listExamples();

  it('there are at least 14, each with a README, a .gitignore ignoring .venv/, and no Dockerfile', () => {
    expect(names.length).toBeGreaterThanOrEqual(14);
    for (const name of names) {
      const dir = examplePath(name);
      expect(existsSync(path.join(dir, 'README.md')), `${name}/README.md`).toBe(true);
      expect(readFileSync(path.join(dir, '.gitignore'), 'utf8'), `${name}/.gitignore`).toContain('.venv/');
      expect(existsSync(path.join(dir, 'Dockerfile')), `${name}/Dockerfile`).toBe(false);
      expect(existsSync(path.join(dir, '.dockerignore')), `${name}/.dockerignore`).toBe(false);
    }
  });

  it.each(names)('%s pins only versions (and hashes) the test index holds', (name) => {
    for (const pin of pinsOf(examplePath(name))) {
      const entry = byName.get(norm(pin.name));
      expect(entry, `${pin.where}: ${pin.name} is not in the index`).toBeDefined();
      expect(entry!.version, `${pin.where}: ${pin.name}`).toBe(pin.version);
      for (const h of pin.hashes) expect(h, `${pin.where}: hash of ${pin.name}`).toBe(entry!.sha256);
    }
  });

  it("Pipfile.lock's _meta hash is pipenv's hash of the Pipfile", () => {
    const dir = examplePath('django-psycopg2-pipenv');
    const pipfile = parseToml(readFileSync(path.join(dir, 'Pipfile'), 'utf8')) as Record<string, unknown>;
    const data = {
      _meta: { sources: pipfile.source, requires: pipfile.requires ?? {} },
      default: pipfile.packages ?? {},
      develop: pipfile['dev-packages'] ?? {},
    };
    const lock = JSON.parse(readFileSync(path.join(dir, 'Pipfile.lock'), 'utf8')) as {
      _meta: { hash: { sha256: string } };
    };
    expect(createHash('sha256').update(pyJson(data)).digest('hex')).toBe(lock._meta.hash.sha256);
  });

  it('the uv examples install from uv.lock and answer (uv itself cannot run here: pip installs the locked wheels)', async () => {
    await loadTestenv();
    const r = spawnSync(
      path.join(repoRoot, 'bench/tools/check-examples.sh'),
      ['fastapi-uv', 'uv-workspace'],
      {
        encoding: 'utf8',
        env: process.env,
      },
    );
    expect(r.stdout, r.stderr.slice(-3000)).toMatch(/^OK {3}fastapi-uv: GET \/health -> 200/m);
    expect(r.stdout).toMatch(/^OK {3}uv-workspace: GET \/health -> 200/m);
    expect(r.status).toBe(0);
  });
});
