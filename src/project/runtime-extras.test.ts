import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDockerfile } from '../dockerfile/render.js';
import { detectProject } from './detect.js';
import { parsePyProject } from './pyproject.js';
import {
  declaredExtras,
  extrasForDrivers,
  findDriverSignals,
  parseRuntimeDrivers,
  runtimeDriversTable,
} from './runtime-extras.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-rx-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

const PYPROJECT = (extra = '', deps = '"django>=4.2", "gunicorn"') => `[project]
name = "site"
version = "1.0"
requires-python = ">=3.11"
dependencies = [${deps}]

[project.optional-dependencies]
postgres = ["psycopg[binary]>=3.1"]
dev = ["pytest"]
${extra}`;

const SETTINGS = `import os
# sqlite for local runs
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ["DB"]}}
`;

describe('data/runtime-drivers.json', () => {
  it('is valid, with normalized driver names and no driver under two backends', () => {
    const table = runtimeDriversTable();
    const all = table.flatMap((b) => b.drivers);
    expect(new Set(all).size).toBe(all.length);
    expect(() =>
      parseRuntimeDrivers(
        JSON.stringify({ backends: [{ name: 'x', drivers: ['Psycopg2'], signals: ['pg://'] }] }),
      ),
    ).toThrow(/PEP 503/);
  });
});

describe('extras the app needs at run time', () => {
  it('a PostgreSQL ENGINE in the settings installs the extra that declares the driver', async () => {
    const dir = project({ 'pyproject.toml': PYPROJECT(), 'site/settings.py': SETTINGS });
    const plan = await detectProject(dir);
    expect(plan.extras).toEqual(['postgres']);
    expect(plan.decisions).toContainEqual(
      expect.objectContaining({
        topic: 'extras',
        value: 'postgres',
        source: { file: 'site/settings.py', line: 3 },
        reason: expect.stringMatching(
          /connects to PostgreSQL .* only the extra "postgres" \(pyproject\.toml:8\)/,
        ),
      }),
    );
    expect(renderDockerfile({ ...plan, command: ['gunicorn', 'site.wsgi'] })).toMatch(
      /declared_deps\.py \/tmp\/declared\.txt postgres/,
    );
  });

  it('a database URL in a .env file counts; a comment or a name does not', async () => {
    const env = project({ 'pyproject.toml': PYPROJECT(), '.env': 'DATABASE_URL=postgres://db/site\n' });
    expect((await detectProject(env)).extras).toEqual(['postgres']);
    const comment = project({
      'pyproject.toml': PYPROJECT(),
      'app.py': '# postgres://db/site in production\npostgresql = None\n',
    });
    expect((await detectProject(comment)).extras).toEqual([]);
  });

  it('nothing when a main dependency already drives it', async () => {
    const dir = project({
      'pyproject.toml': PYPROJECT('', '"django>=4.2", "psycopg2-binary"'),
      'site/settings.py': SETTINGS,
    });
    expect((await detectProject(dir)).extras).toEqual([]);
  });

  it('extras listed by the user are kept as they are, with a warning that names the setting', async () => {
    const dir = project({
      'pyproject.toml': PYPROJECT('\n[tool.pycontain]\nextras = []\n'),
      'site/settings.py': SETTINGS,
    });
    const plan = await detectProject(dir);
    expect(plan.extras).toEqual([]);
    expect(plan.warnings).toContainEqual(
      expect.objectContaining({
        code: 'extra-needed',
        source: { file: 'site/settings.py', line: 3 },
        message: expect.stringMatching(/add "postgres" to it/),
      }),
    );
  });

  it('Poetry extras and SQLAlchemy URLs with a driver suffix', async () => {
    const pp = parsePyProject(
      `[tool.poetry]\nname = "x"\nversion = "1"\n[tool.poetry.dependencies]\npython = "^3.11"\nasyncpg = { version = "^0.29", optional = true }\n[tool.poetry.extras]\npg = ["asyncpg"]\n`,
      'pyproject.toml',
    );
    const extras = declaredExtras(pp);
    expect(extras).toEqual([
      { name: 'pg', packages: ['asyncpg'], source: { file: 'pyproject.toml', line: 8 } },
    ]);
    const dir = project({ 'db.py': 'URL = "postgresql+asyncpg://u@h/db"\n' });
    const signals = await findDriverSignals(dir, '.');
    expect(signals.map((s) => [s.backend.name, s.signal, s.source.line])).toEqual([
      ['PostgreSQL', 'postgresql+', 1],
    ]);
    expect(extrasForDrivers(signals, extras, new Set(), [], false).add).toEqual(['pg']);
    // asyncpg is optional in Poetry's table: not a main dependency.
    expect(extrasForDrivers(signals, extras, new Set(['asyncpg']), [], false).add).toEqual([]);
  });
});
