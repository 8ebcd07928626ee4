/**
 * Settings a launcher reads its host and port from: pydantic `BaseSettings` fields and other class
 * attributes, module constants, `os.environ.get("PORT", "9000")` defaults, config files (YAML, TOML,
 * INI, with `${PORT:8080}` placeholders) and `.env.example` / `.env` lines. Code defaults come
 * first: they are what runs when the container sets nothing; example env files come last.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseDocument } from 'yaml';
import type { PyFile } from './framework.js';
import { launchersData } from './launcher-data.js';
import { callArgs, dottedName, literalString, matchingBracket, qualify, type Token } from './pyscan.js';

export interface Setting {
  /** Python name, config key or environment variable, as written. */
  name: string;
  value: string;
  /** Relative to the app directory. */
  file: string;
  line: number;
  /** Environment variable that overrides it, when there is one. */
  envVar?: string;
  via: 'class' | 'constant' | 'environ' | 'config' | 'env-file';
}

export interface SettingsIndex {
  /** Class attributes (pydantic fields and plain config classes) and module constants, by lowercased name. */
  python: Map<string, Setting[]>;
  /** Defaults given where the code reads an environment variable, by variable name. */
  environ: Map<string, Setting[]>;
  /** Config-file keys (the last key of the path, lowercased) and `${VAR:default}` placeholders (by VAR). */
  config: Map<string, Setting[]>;
  /** `.env.example`-style files, by variable name. */
  envFiles: Map<string, Setting[]>;
}

const ENV_CALLS = new Set(['os.environ.get', 'os.getenv', 'os.environ.setdefault', 'environ.get']);

/** The environment variables an expression reads, with their literal defaults: `int(os.getenv("PORT", 8080))`. */
export function envReads(
  f: Pick<PyFile, 'bindings'>,
  expr: Token[],
): { name: string; fallback: string | null; line: number }[] {
  const out: { name: string; fallback: string | null; line: number }[] = [];
  for (let k = 0; k < expr.length; k++) {
    if (expr[k]?.type !== 'name' || (k > 0 && expr[k - 1]?.value === '.')) continue;
    const d = dottedName(expr, k);
    if (!d) continue;
    const q = qualify(d.name, f.bindings);
    const next = expr[d.end];
    if (next?.value === '(' && (ENV_CALLS.has(q) || /^(env|environ)\.(int|str|get)$/.test(d.name))) {
      const a = callArgs(expr, d.end);
      const name = literalString(a.positional[0]);
      if (!name) continue;
      const dflt = a.positional[1] ?? a.keywords.get('default');
      out.push({ name, fallback: literalValue(dflt), line: (expr[k] as Token).line });
    } else if (next?.value === '[' && (q === 'os.environ' || d.name === 'environ')) {
      const name = literalString(expr.slice(d.end + 1, matchingBracket(expr, d.end)));
      if (name) out.push({ name, fallback: null, line: (expr[k] as Token).line });
    }
  }
  return out;
}

export function envRead(
  f: Pick<PyFile, 'bindings'>,
  expr: Token[],
): { name: string; fallback: string | null; line: number } | null {
  return envReads(f, expr)[0] ?? null;
}

/** A literal number or string, alone or as the sole argument of int()/str()/Field()'s default. */
export function literalValue(expr: Token[] | undefined): string | null {
  if (!expr || expr.length === 0) return null;
  if (expr.length === 1) {
    const t = expr[0] as Token;
    if (t.type === 'number' && /^\d+$/.test(t.value)) return t.value;
    if (t.type === 'string' && !/[ft]/.test(t.prefix ?? '')) return t.value;
    return null;
  }
  const head = dottedName(expr, 0);
  if (head && expr[head.end]?.value === '(' && matchingBracket(expr, head.end) === expr.length - 1) {
    const last = head.name.split('.').pop();
    const a = callArgs(expr, head.end);
    if (last === 'int' || last === 'str') return literalValue(a.positional[0]);
    // pydantic Field(9000), typer Option(8000): the first argument is the default.
    if (last === 'Field' || last === 'Option' || last === 'Argument')
      return literalValue(a.keywords.get('default') ?? a.positional[0]);
  }
  return null;
}

function add(map: Map<string, Setting[]>, key: string, s: Setting) {
  const list = map.get(key) ?? [];
  list.push(s);
  map.set(key, list);
}

const SETTINGS_BASES = /(^|\.)(BaseSettings)$/;

function scanPythonSettings(files: PyFile[], idx: SettingsIndex) {
  // Classes deriving from BaseSettings, directly or through a project class (by name).
  const settingsClasses = new Set<string>();
  for (let pass = 0; pass < 3; pass++) {
    for (const f of files) {
      for (const st of f.statements) {
        const t = st.tokens;
        if (t[0]?.value !== 'class' || t[1]?.type !== 'name' || t[2]?.value !== '(') continue;
        const bases = callArgs(t, 2).positional.map((p) => p.map((x) => x.value).join(''));
        if (
          bases.some(
            (b) =>
              SETTINGS_BASES.test(qualify(b, f.bindings)) || settingsClasses.has(b.split('.').pop() ?? ''),
          )
        )
          settingsClasses.add(t[1].value);
      }
    }
  }
  for (const f of files) {
    const sts = f.statements;
    let cls: { name: string; indent: number; pydantic: boolean; prefix: string; body: number } | null = null;
    for (let i = 0; i < sts.length; i++) {
      const st = sts[i] as (typeof sts)[number];
      const t = st.tokens;
      if (cls && st.indent <= cls.indent) cls = null;
      if (t[0]?.value === 'class' && t[1]?.type === 'name' && st.indent === 0) {
        const name = t[1].value;
        let prefix = '';
        // env_prefix, from model_config = SettingsConfigDict(env_prefix=...) or an inner class Config.
        for (let j = i + 1; j < sts.length && (sts[j]?.indent ?? 0) > 0; j++) {
          const bt = sts[j]?.tokens ?? [];
          const at = bt.findIndex((x) => x.value === 'env_prefix');
          if (at >= 0) {
            const v = bt[at + 1]?.value === '=' ? literalString(bt.slice(at + 2, at + 3)) : null;
            if (v !== null) prefix = v;
          }
        }
        cls = { name, indent: 0, pydantic: settingsClasses.has(name), prefix, body: -1 };
        continue;
      }
      const first = t[0];
      if (first?.type !== 'name' || first.value === 'def' || first.value === 'class') continue;
      let k = 1;
      if (t[1]?.value === ':') {
        k = 2;
        while (k < t.length && t[k]?.value !== '=') k++;
      }
      if (t[k]?.value !== '=' || t[k]?.type !== 'op') continue;
      const rhs = t.slice(k + 1);
      if (cls) {
        if (cls.body < 0) cls.body = st.indent;
        if (st.indent !== cls.body) continue;
      } else if (st.indent !== 0) continue;
      const env = envRead(f, rhs);
      const lit = literalValue(rhs);
      const value = lit ?? env?.fallback ?? null;
      if (value === null) {
        if (env)
          add(idx.python, first.value.toLowerCase(), {
            name: first.value,
            value: '',
            file: f.rel,
            line: st.line,
            envVar: env.name,
            via: cls ? 'class' : 'constant',
          });
        continue;
      }
      const envVar = env?.name ?? (cls?.pydantic ? `${cls.prefix}${first.value}`.toUpperCase() : undefined);
      add(idx.python, first.value.toLowerCase(), {
        name: cls ? `${cls.name}.${first.value}` : first.value,
        value,
        file: f.rel,
        line: st.line,
        ...(envVar ? { envVar } : {}),
        via: cls ? 'class' : 'constant',
      });
    }
    // Every environment read with a default, wherever it is.
    for (const st of sts) {
      for (const env of envReads(f, st.tokens)) {
        if (env.fallback !== null)
          add(idx.environ, env.name, {
            name: env.name,
            value: env.fallback,
            file: f.rel,
            line: env.line,
            envVar: env.name,
            via: 'environ',
          });
      }
    }
  }
}

const CONFIG_DIRS = ['.', 'config', 'conf', 'configs', 'settings', 'etc'];
const CONFIG_SKIP = new Set([
  'pyproject.toml',
  'setup.cfg',
  'tox.ini',
  'pytest.ini',
  'mypy.ini',
  '.flake8',
  'alembic.ini',
  'docker-compose.yml',
  'docker-compose.yaml',
  'compose.yml',
  'compose.yaml',
  'mkdocs.yml',
  '.pre-commit-config.yaml',
  'codecov.yml',
  '.readthedocs.yaml',
  'environment.yml',
]);
const ENV_FILES = ['.env.example', '.env.sample', '.env.template', '.env.dist', 'example.env', '.env'];
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*):-?([^}]*)\}/g;

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Scalar leaves of a parsed config document, with their key path. */
function leaves(v: unknown, pathKeys: string[], out: { keys: string[]; value: string }[]) {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) leaves(x, [...pathKeys, k], out);
  } else if (typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint') {
    out.push({ keys: pathKeys, value: String(v) });
  }
}

async function scanConfigFiles(base: string, idx: SettingsIndex) {
  for (const dir of CONFIG_DIRS) {
    let names: string[];
    try {
      names = (await fsp.readdir(path.join(base, dir))).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (CONFIG_SKIP.has(name) || !/\.(ya?ml|toml|ini|cfg|conf)$/.test(name)) continue;
      const rel = dir === '.' ? name : `${dir}/${name}`;
      let text: string;
      try {
        const st = await fsp.stat(path.join(base, rel));
        if (!st.isFile() || st.size > 256 * 1024) continue;
        text = await fsp.readFile(path.join(base, rel), 'utf8');
      } catch {
        continue;
      }
      for (const m of text.matchAll(PLACEHOLDER)) {
        add(idx.config, m[1] as string, {
          name: m[1] as string,
          value: (m[2] as string).trim(),
          file: rel,
          line: lineOf(text, m.index ?? 0),
          envVar: m[1] as string,
          via: 'config',
        });
      }
      let doc: unknown = null;
      try {
        if (/\.ya?ml$/.test(name)) doc = parseDocument(text).toJS();
        else if (name.endsWith('.toml')) doc = parseToml(text);
      } catch {
        // A config file we cannot parse is not evidence; the placeholders above still count.
        doc = null;
      }
      const found: { keys: string[]; value: string }[] = [];
      if (doc !== null) leaves(doc, [], found);
      else if (/\.(ini|cfg|conf)$/.test(name)) {
        let section = '';
        for (const raw of text.split(/\r?\n/)) {
          const sec = /^\s*\[([^\]]+)\]/.exec(raw);
          if (sec) section = (sec[1] as string).trim();
          const kv = /^\s*([\w.-]+)\s*[=:]\s*(.*?)\s*$/.exec(raw);
          if (kv && !/^[#;]/.test(raw.trim()))
            found.push({ keys: [section, kv[1] as string], value: kv[2] as string });
        }
      }
      for (const leaf of found) {
        const key = (leaf.keys.at(-1) ?? '').toLowerCase();
        if (!key) continue;
        const re = new RegExp(`^\\s*["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*[:=]`, 'im');
        const at = re.exec(text);
        const placeholder = /^\$\{([A-Za-z_]\w*):-?([^}]*)\}$/.exec(leaf.value.trim());
        add(idx.config, key, {
          name: leaf.keys.filter(Boolean).join('.'),
          value: placeholder ? (placeholder[2] as string).trim() : leaf.value,
          file: rel,
          line: at ? lineOf(text, at.index) : 1,
          ...(placeholder ? { envVar: placeholder[1] as string } : {}),
          via: 'config',
        });
      }
    }
  }
}

async function scanEnvFiles(base: string, idx: SettingsIndex) {
  for (const name of ENV_FILES) {
    let text: string;
    try {
      text = await fsp.readFile(path.join(base, name), 'utf8');
    } catch {
      continue;
    }
    text.split(/\r?\n/).forEach((raw, i) => {
      const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw);
      if (!m) return;
      const value = (m[2] as string).replace(/\s+#.*$/, '').replace(/^(['"])(.*)\1$/, '$2');
      if (value)
        add(idx.envFiles, m[1] as string, {
          name: m[1] as string,
          value,
          file: name,
          line: i + 1,
          envVar: m[1] as string,
          via: 'env-file',
        });
    });
  }
}

export async function scanSettings(base: string, files: PyFile[]): Promise<SettingsIndex> {
  const idx: SettingsIndex = {
    python: new Map(),
    environ: new Map(),
    config: new Map(),
    envFiles: new Map(),
  };
  scanPythonSettings(files, idx);
  await scanConfigFiles(base, idx);
  await scanEnvFiles(base, idx);
  return idx;
}

/** Names a service's own listening port goes by; a database's or a broker's port is not it. */
export const PORT_NAMES = /^(?:(?:app|server|http|web|api|service|listen|bind|uvicorn|gunicorn)_?)?port$/i;
export const HOST_NAMES = /^(?:(?:app|server|http|web|api|service|listen|bind|uvicorn|gunicorn)_?)?host$/i;

/**
 * The first setting with this name: Python code, then environment defaults in code, then config
 * files, then example env files. `key` is an attribute name (`PORT`, `port`) or a variable name.
 */
export function lookupSetting(idx: SettingsIndex, key: string): Setting | null {
  const lower = key.toLowerCase();
  const named = idx.python.get(lower)?.filter((s) => s.value !== '') ?? [];
  const fromPython = named.find((s) => !isClientSetting(s)) ?? named[0];
  if (fromPython) return fromPython;
  const env = idx.environ.get(key) ?? idx.environ.get(key.toUpperCase());
  if (env?.[0]) return env[0];
  const cfg = idx.config.get(key) ?? idx.config.get(key.toUpperCase()) ?? idx.config.get(lower);
  if (cfg?.[0]) return cfg[0];
  const envFile = idx.envFiles.get(key) ?? idx.envFiles.get(key.toUpperCase());
  return envFile?.[0] ?? null;
}

/** A setting of a client of another service: `AzureMySQLConfig.port`, `configs/vector_stores/redis.py`. */
export function isClientSetting(s: Setting): boolean {
  const re = new RegExp(launchersData().clientSettings, 'i');
  const cls = s.via === 'class' && s.name.includes('.') ? s.name.slice(0, s.name.lastIndexOf('.')) : '';
  return re.test(cls) || re.test(s.file);
}

/** The service port the project's settings name, when exactly one kind of name gives one. */
export function settingsPort(idx: SettingsIndex): Setting | null {
  const pools: Map<string, Setting[]>[] = [idx.python, idx.environ, idx.config, idx.envFiles];
  for (const pool of pools) {
    for (const [key, list] of pool) {
      if (!PORT_NAMES.test(key)) continue;
      const s = list.find((x) => /^\d{2,5}$/.test(x.value) && !isClientSetting(x));
      if (s) return s;
    }
  }
  return null;
}
