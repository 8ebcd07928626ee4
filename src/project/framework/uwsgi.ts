/**
 * A uWSGI configuration the project ships (uwsgi.ini, or any *.ini with a [uwsgi] section): when
 * uwsgi is a dependency, `uwsgi --ini FILE` runs the app the way its maintainers configured it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface UwsgiIni {
  file: string;
  /** The http / http-socket option: where uWSGI answers HTTP itself. */
  http: { host: string; port: number; line: number; key: string } | null;
}

export function findUwsgiIni(base: string): UwsgiIni | null {
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => n.endsWith('.ini'));
  } catch {
    return null;
  }
  names.sort((a, b) => Number(b === 'uwsgi.ini') - Number(a === 'uwsgi.ini') || a.localeCompare(b));
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
    if (!kv || (key !== 'http' && key !== 'http-socket')) return;
    const m = /^(.*):(\d+)$/.exec((kv[2] as string).trim());
    if (m) http ??= { host: m[1] as string, port: Number(m[2]), line: i + 1, key };
  });
  return found ? { file, http } : null;
}
