/**
 * A uWSGI configuration the project ships (uwsgi.ini, or any *.ini with a [uwsgi] section): when
 * uwsgi is a dependency, `uwsgi --ini FILE` runs the app the way its maintainers configured it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface UwsgiIni {
  /** Relative to the app directory. */
  file: string;
  /** The http / http-socket option: where uWSGI answers HTTP itself; `env` when the port is `$(VAR)`. */
  http: { host: string; port: number | null; env?: string; line: number; key: string } | null;
  /** An absolute `chdir`: a path of the maintainers' image, not of this one. */
  chdir: { path: string; line: number } | null;
}

/** Where projects keep deployment configuration, besides the app directory itself. */
const INI_DIRS = ['', 'docker', 'deploy', 'deployment', 'etc', 'conf', 'config'];

export function findUwsgiIni(base: string): UwsgiIni | null {
  const names: string[] = [];
  for (const dir of INI_DIRS) {
    let here: string[];
    try {
      here = readdirSync(path.join(base, dir)).filter((n) => n.endsWith('.ini'));
    } catch {
      continue;
    }
    here.sort((a, b) => Number(b === 'uwsgi.ini') - Number(a === 'uwsgi.ini') || a.localeCompare(b));
    names.push(...here.map((n) => (dir ? `${dir}/${n}` : n)));
  }
  for (const file of names) {
    let text: string;
    try {
      text = readFileSync(path.join(base, file), 'utf8');
    } catch {
      continue;
    }
    const ini = parseUwsgiIni(file, text);
    if (ini) return ini;
  }
  return null;
}

/** The [uwsgi] section of an INI file, or null when it has none. */
export function parseUwsgiIni(file: string, text: string): UwsgiIni | null {
  let section: string | null = null;
  let found = false;
  let http: UwsgiIni['http'] = null;
  let chdir: UwsgiIni['chdir'] = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith(';') || line.startsWith('#') || line === '') return;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      section = (sec[1] as string).trim();
      if (section === 'uwsgi') found = true;
      return;
    }
    if (section !== 'uwsgi') return;
    const kv = /^([\w-]+)\s*=\s*(.*)$/.exec(line);
    const key = kv?.[1];
    const value = (kv?.[2] ?? '').trim();
    if (key === 'chdir' && value.startsWith('/')) chdir ??= { path: value, line: i + 1 };
    if (!kv || (key !== 'http' && key !== 'http-socket')) return;
    const m = /^(.*):(?:(\d+)|\$\((\w+)\))$/.exec(value);
    if (m)
      http ??= {
        host: m[1] as string,
        port: m[2] ? Number(m[2]) : null,
        ...(m[3] ? { env: m[3] } : {}),
        line: i + 1,
        key: key as string,
      };
  });
  return found ? { file, http, chdir } : null;
}
