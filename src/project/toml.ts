import { parse, TomlError } from 'smol-toml';
import { InputError } from '../plan.js';

export type TomlTable = Record<string, unknown>;

/**
 * Parse TOML, turning smol-toml's error into an InputError at the same line and column, so a broken
 * pyproject.toml or lock is reported as `file:line:col: message` and never as a stack trace.
 */
export function parseToml(text: string, file: string): TomlTable {
  try {
    return parse(text) as TomlTable;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0] ?? 'invalid TOML';
      throw new InputError(
        `invalid TOML: ${first.replace(/^Invalid TOML document: /, '')}`,
        file,
        err.line,
        err.column,
      );
    }
    throw err;
  }
}

/**
 * Locate `key = ...` inside `[table]` (dotted path like 'tool.poetry', '' for the top level) by a
 * line scan: smol-toml gives values but no positions, and decisions must name file:line.
 * Handles `[table]`, `[[array]]` headers and dotted keys written at a parent level
 * (`tool.poetry.name = ...` at the top). Returns a 1-based line, or undefined.
 */
export function findKeyLine(text: string, table: string, key?: string): number | undefined {
  const lines = text.split(/\r?\n/);
  let current = '';
  const norm = (s: string) =>
    s
      .split('.')
      .map((p) => p.trim().replace(/^["']|["']$/g, ''))
      .join('.');
  const want = norm(table);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
    if (header) {
      current = norm(header[1] ?? '');
      if (key === undefined && current === want) return i + 1;
      continue;
    }
    if (key === undefined) continue;
    const kv = /^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_.\- ]+?))\s*=/.exec(line);
    if (!kv) continue;
    const k = norm(kv[1] ?? '');
    const full = current ? `${current}.${k}` : k;
    if (full === (want ? `${want}.${key}` : key)) return i + 1;
  }
  return undefined;
}

/** Line of the first line matching a regular expression (1-based), for sources in non-TOML files. */
export function findLine(text: string, re: RegExp): number | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) if (re.test(lines[i] ?? '')) return i + 1;
  return undefined;
}

export function isTable(v: unknown): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isTable(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/**
 * Python's `json.dumps(obj, sort_keys=True)` byte for byte (default separators `, ` and `: `,
 * ensure_ascii), or with `compact` the `separators=(",", ":")` form. Poetry, PDM and pipenv hash
 * exactly this serialization of parts of the manifest to detect stale locks.
 */
export function pythonJsonDumps(value: unknown, compact = false): string {
  const itemSep = compact ? ',' : ', ';
  const keySep = compact ? ':' : ': ';
  const str = (s: string) => {
    let out = '"';
    for (const ch of s) {
      const cp = ch.codePointAt(0) ?? 0;
      if (ch === '"') out += '\\"';
      else if (ch === '\\') out += '\\\\';
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\b') out += '\\b';
      else if (ch === '\f') out += '\\f';
      else if (cp < 0x20 || cp > 0x7e) {
        // ensure_ascii: non-ASCII as \uXXXX, astral characters as a surrogate pair.
        for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
      } else out += ch;
    }
    return `${out}"`;
  };
  const enc = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'string') return str(v);
    if (v instanceof Date) return str(v.toString());
    if (Array.isArray(v)) return `[${v.map(enc).join(itemSep)}]`;
    if (typeof v === 'object') {
      const keys = Object.keys(v as object).sort(comparePythonStrings);
      return `{${keys.map((k) => `${str(k)}${keySep}${enc((v as TomlTable)[k])}`).join(itemSep)}}`;
    }
    return str(String(v));
  };
  return enc(value);
}

/** Python sorts str by code point; JS's default sort compares UTF-16 units, which differs past U+FFFF. */
function comparePythonStrings(a: string, b: string): number {
  const ca = [...a].map((c) => c.codePointAt(0) ?? 0);
  const cb = [...b].map((c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = (ca[i] ?? 0) - (cb[i] ?? 0);
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}
