import { promises as fsp, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanFiles } from './framework.js';
import { LAUNCHERS_FILE, parseLaunchersData } from './launcher-data.js';
import { lookupSetting, scanSettings, settingsPort } from './launcher-settings.js';

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'pycontain-settings-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;

async function settings(files: Record<string, string>) {
  const base = path.join(tmpRoot, `p${n++}`);
  for (const [rel, text] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(base, rel)), { recursive: true });
    await fsp.writeFile(path.join(base, rel), text);
  }
  return scanSettings(base, await scanFiles(base));
}

describe('settings', () => {
  it('a database or vector-store client config port is not the service port', async () => {
    const idx = await settings({
      'lib/configs/vector_stores/azure_mysql.py':
        'from pydantic import BaseModel\n\nclass AzureMySQLConfig(BaseModel):\n    port: int = 3306\n',
      'lib/cache.py': 'class RedisSettings:\n    PORT = 6379\n',
    });
    expect(settingsPort(idx)).toBeNull();
    const withApp = await settings({
      'lib/db.py': 'class PostgresConfig:\n    port = 5432\n',
      'app/config.py': 'class Settings:\n    PORT = 8123\n',
    });
    expect(settingsPort(withApp)).toMatchObject({ value: '8123', file: 'app/config.py' });
    expect(lookupSetting(withApp, 'port')).toMatchObject({ value: '8123' });
  });

  it('reads YAML keys and ${PORT:8080} placeholders with their lines', async () => {
    const idx = await settings({
      'config/app.yaml': 'server:\n  host: 0.0.0.0\n  port: ${PORT:8085}\ndb:\n  port: 5432\n',
    });
    expect(lookupSetting(idx, 'PORT')).toMatchObject({
      value: '8085',
      file: 'config/app.yaml',
      line: 3,
      envVar: 'PORT',
    });
    expect(settingsPort(idx)).toMatchObject({ value: '8085' });
  });

  it('reads TOML and INI config files, skipping pyproject.toml', async () => {
    const idx = await settings({
      'pyproject.toml': '[tool.x]\nport = 1\n',
      'settings.toml': '[server]\nport = 7070\n',
      'app.ini': '[web]\nhttp_port = 6060\n',
    });
    expect(lookupSetting(idx, 'port')).toMatchObject({ value: '7070', file: 'settings.toml', line: 2 });
    expect(lookupSetting(idx, 'http_port')).toMatchObject({ value: '6060', file: 'app.ini', line: 2 });
  });

  it('reads .env.example lines last, after code defaults', async () => {
    const idx = await settings({
      '.env.example': 'PORT=5555\nDATABASE_URL=postgres://x\n',
      'conf.py': 'import os\nPORT = int(os.environ.get("PORT", 5001))\n',
    });
    expect(lookupSetting(idx, 'PORT')).toMatchObject({
      value: '5001',
      file: 'conf.py',
      line: 2,
      envVar: 'PORT',
    });
    expect(idx.envFiles.get('PORT')?.[0]).toMatchObject({ value: '5555', file: '.env.example', line: 1 });
  });

  it('does not take a database port for the service port', async () => {
    const idx = await settings({ 'config.py': 'DB_PORT = 5432\nREDIS_PORT = 6379\n' });
    expect(settingsPort(idx)).toBeNull();
  });

  it('survives a config file that does not parse', async () => {
    const idx = await settings({ 'config.yaml': 'port: [unclosed\nurl: ${APP_PORT:9090}\n' });
    expect(lookupSetting(idx, 'APP_PORT')).toMatchObject({ value: '9090', line: 2 });
  });
});

describe('data/launchers.json', () => {
  it('parses, and every production entry says where it listens', () => {
    const d = parseLaunchersData(readFileSync(LAUNCHERS_FILE, 'utf8'));
    expect(d.servers.some((s) => s.call === 'uvicorn.run')).toBe(true);
    expect(() =>
      parseLaunchersData(
        JSON.stringify({ ...d, servers: [{ call: 'x.run', package: 'x', defaultHost: '0.0.0.0' }] }),
      ),
    ).toThrow(/neither a port nor an address/);
    expect(() => parseLaunchersData(JSON.stringify({ ...d, servers: [d.servers[0], d.servers[0]] }))).toThrow(
      /twice/,
    );
  });
});
