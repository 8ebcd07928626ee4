/**
 * Framework and start command, read from the code (not from file names).
 *
 * Every .py file of the app (bounded) is scanned with src/project/pyscan.ts for application objects
 * (`FastAPI()`, `Flask(__name__)`, `Celery()`, `web.Application()`, ...), app factories, Django
 * projects, Streamlit/Gradio scripts, run calls that name a port, and health routes. A Procfile's
 * `web:` line is honoured but repaired (no development servers, no `migrate &&`, bind 0.0.0.0).
 * How each framework is served is data: data/frameworks.json.
 *
 * Paths in the command (scripts, --chdir) are relative to the app directory, which is the
 * container's working directory.
 */
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import type { Decision, Dependency, DjangoInfo, Framework, Source, Warning } from '../plan.js';
import { droppedDecisions, findLaunchers, useLauncher } from './launcher.js';
import {
  callArgs,
  dottedName,
  importBindings,
  literalInt,
  literalString,
  matchingBracket,
  qualify,
  type Statement,
  scanPython,
  type Token,
} from './pyscan.js';

// ---------------------------------------------------------------------------------------------
// Data

const FrameworkSpec = z.object({
  kind: z.enum(['asgi', 'wsgi', 'aiohttp', 'worker', 'script', 'cli']),
  constructors: z.array(z.string()),
  package: z.string().nullable(),
  server: z.string(),
  serverWhen: z.record(z.string(), z.string()).optional(),
  asgiServer: z.string().optional(),
  /** ASGI server to use instead when its package is a dependency and the default's is not. */
  asgiServerWhen: z.record(z.string(), z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  port: z.number().int().positive().nullable(),
  healthcheckPath: z.string().nullable(),
});
const ServerSpec = z.object({
  package: z.string().nullable(),
  requires: z.array(z.string()).optional(),
  command: z.array(z.string()).min(1),
  appDir: z.array(z.string()).optional(),
  factory: z.array(z.string()).optional(),
  factoryCall: z.boolean().optional(),
});
const FrameworksFile = z.object({
  frameworks: z.record(z.string(), FrameworkSpec),
  servers: z.record(z.string(), ServerSpec),
  devServers: z.array(z.object({ match: z.string(), framework: z.string(), why: z.string() })),
  healthPaths: z.array(z.string().startsWith('/')),
});
export type FrameworksData = z.infer<typeof FrameworksFile>;
type FwSpec = z.infer<typeof FrameworkSpec>;

export const FRAMEWORKS_FILE = new URL('../../data/frameworks.json', import.meta.url);
let cache: FrameworksData | null = null;

export function parseFrameworksData(text: string): FrameworksData {
  const d = FrameworksFile.parse(JSON.parse(text));
  for (const [name, f] of Object.entries(d.frameworks)) {
    for (const s of [
      f.server,
      f.asgiServer,
      ...Object.values(f.serverWhen ?? {}),
      ...Object.values(f.asgiServerWhen ?? {}),
    ]) {
      if (s && !d.servers[s]) throw new Error(`frameworks.json: ${name} names unknown server ${s}`);
    }
  }
  for (const s of d.servers ? Object.values(d.servers) : []) {
    for (const arg of s.command)
      if (arg.includes('127.0.0.1') || arg.includes('localhost')) throw new Error('bind 0.0.0.0');
  }
  return d;
}

export function frameworksData(): FrameworksData {
  cache ??= parseFrameworksData(readFileSync(FRAMEWORKS_FILE, 'utf8'));
  return cache;
}

// ---------------------------------------------------------------------------------------------
// Public API

export interface FrameworkResult {
  framework: Framework;
  entrypoint: string | null;
  command: string[];
  port: number | null;
  healthcheckPath: string | null;
  importChecks: string[];
  django: DjangoInfo | null;
  env: Record<string, string>;
  decisions: Decision[];
  warnings: Warning[];
  /** Directory (relative to appDir) that must be on sys.path for `entrypoint`/`importChecks`: '.' or e.g. 'src'. */
  importRoot: string;
}

export interface FrameworkOptions {
  scripts: Record<string, string>;
  projectName?: string;
  overrides?: { command?: string[]; port?: number };
  /** Dependency groups / extras installed besides the main ones (their servers count as present). */
  groups?: string[];
}

// ---------------------------------------------------------------------------------------------
// Scanning

const SKIP_DIRS = new Set([
  '.git',
  '.hg',
  '.venv',
  'venv',
  '.env',
  'env',
  'node_modules',
  'site-packages',
  '__pycache__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'tests',
  'test',
  'testing',
  'migrations',
  'build',
  'dist',
  'docs',
  'doc',
  '.eggs',
  'htmlcov',
  'static',
  'staticfiles',
  'media',
  'templates',
  'frontend',
]);
const MAX_FILES = 2000;
const MAX_BYTES = 512 * 1024;
const MAX_DEPTH = 8;

export interface PyFile {
  /** Relative to appDir, posix. */
  rel: string;
  statements: Statement[];
  bindings: Map<string, string>;
  /** Module name relative to its import root ('pkg.main'). */
  module: string;
  /** Import root relative to appDir ('.' or 'src' ...). */
  importRoot: string;
  isPackageInit: boolean;
  text: string;
}

async function listPyFiles(base: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fsp.readdir(path.join(base, dir), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (out.length >= MAX_FILES) return;
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (
          SKIP_DIRS.has(e.name) ||
          e.name.endsWith('.egg-info') ||
          (e.name.startsWith('.') && e.name !== '.')
        )
          continue;
        await walk(rel, depth + 1);
      } else if (e.isFile() && e.name.endsWith('.py')) {
        if (/^(test_.*|.*_test|conftest|setup|noxfile|fabfile)\.py$/.test(e.name)) continue;
        out.push(rel);
      }
    }
  };
  await walk('', 0);
  return out;
}

/**
 * Import root and module name of a file: climb while the directory is a package (__init__.py);
 * a top directory named `src` is a src layout; other plain directories are namespace packages of
 * the app directory, unless the file imports its siblings absolutely (scripts run from there).
 */
function moduleOf(
  rel: string,
  initDirs: Set<string>,
  siblingImport: boolean,
): { module: string; importRoot: string } {
  const parts = rel.replace(/\.py$/, '').split('/');
  const file = parts.pop() as string;
  let k = parts.length;
  while (k > 0 && initDirs.has(parts.slice(0, k).join('/'))) k--;
  let rootParts = parts.slice(0, k);
  if (rootParts.length > 0 && k === parts.length && siblingImport) {
    // A plain directory whose modules import each other by bare name: it is its own import root.
  } else if (rootParts.length > 0 && rootParts[0] !== 'src') {
    rootParts = [];
  } else if (rootParts[0] === 'src') {
    rootParts = rootParts.slice(0, Math.max(1, rootParts.indexOf('src') + 1));
    // Deeper plain directories under src/ become namespace packages.
  }
  const modParts = [...parts.slice(rootParts.length), file].filter(
    (p, i, a) => !(p === '__init__' && i === a.length - 1),
  );
  return { module: modParts.join('.'), importRoot: rootParts.length ? rootParts.join('/') : '.' };
}

export async function scanFiles(base: string): Promise<PyFile[]> {
  const rels = await listPyFiles(base);
  const initDirs = new Set(
    rels.filter((r) => r.endsWith('/__init__.py')).map((r) => r.slice(0, -'/__init__.py'.length)),
  );
  const relSet = new Set(rels);
  const files: PyFile[] = [];
  for (const rel of rels) {
    let text: string;
    try {
      const st = await fsp.stat(path.join(base, rel));
      if (st.size > MAX_BYTES) continue;
      text = await fsp.readFile(path.join(base, rel), 'utf8');
    } catch {
      continue;
    }
    const statements = scanPython(text);
    const bindings = importBindings(statements);
    const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    // Does it import a sibling module by bare name (`from models import X` next to models.py)?
    let siblingImport = false;
    if (dir && !initDirs.has(dir)) {
      for (const q of bindings.values()) {
        const head = q.split('.')[0] as string;
        if (
          head &&
          !q.startsWith('.') &&
          (relSet.has(`${dir}/${head}.py`) || initDirs.has(`${dir}/${head}`)) &&
          !relSet.has(`${head}.py`)
        ) {
          siblingImport = true;
        }
      }
    }
    const m = moduleOf(rel, initDirs, siblingImport);
    files.push({ rel, statements, bindings, ...m, isPackageInit: rel.endsWith('__init__.py'), text });
  }
  return files;
}

/** Resolve a relative qualified name ('.views.x') against a file's package. */
function absolute(f: PyFile, q: string): string {
  if (!q.startsWith('.')) return q;
  const dots = /^\.+/.exec(q)?.[0].length ?? 0;
  const pkg = f.module.split('.');
  if (!f.isPackageInit) pkg.pop();
  for (let i = 1; i < dots; i++) pkg.pop();
  const rest = q.slice(dots);
  return [...pkg, ...(rest ? [rest] : [])].filter(Boolean).join('.');
}

/** Fully qualified name of a dotted name used in a file; unbound names are the file's own. */
export function qualified(f: PyFile, name: string): string {
  const head = name.split('.')[0] as string;
  if (!f.bindings.has(head) && !BUILTINS.has(head)) return f.module ? `${f.module}.${name}` : name;
  return absolute(f, qualify(name, f.bindings));
}

const BUILTINS = new Set([
  'print',
  'len',
  'str',
  'int',
  'dict',
  'list',
  'set',
  'tuple',
  'object',
  'super',
  'type',
]);

// ---------------------------------------------------------------------------------------------
// Facts per file

interface AppObject {
  framework: Framework;
  file: PyFile;
  line: number;
  /** Module-level variable holding the app, or the factory function name. */
  name: string;
  factory: boolean;
  /** Parameters the factory takes (aiohttp.web passes argv). */
  factoryParams?: number;
  /** Parameters without a default: the factory cannot be called without arguments. */
  factoryRequired?: number;
  via?: string;
}

interface FileFacts {
  apps: AppObject[];
  factories: AppObject[];
  /** Calls that assign a factory's result: var -> qualified callee. */
  factoryCalls: { name: string; callee: string; line: number }[];
  streamlit: number | null;
  gradioLaunch: { line: number; port: number | null } | null;
  runApp: { line: number; port: number | null } | null;
  uvicornRun: { line: number; target: string | null; varName: string | null; port: number | null }[];
  devRun: { varName: string; line: number; port: number | null }[];
  routes: { obj: string; path: string; line: number }[];
  routerPrefix: Map<string, string>;
  /** parent.include_router(child, prefix=...): keys are qualified names; prefix null when not a literal. */
  includes: { parent: string; child: string; prefix: string | null }[];
  mainGuard: boolean;
  settingsDefault: { module: string; line: number } | null;
  assignments: Map<string, { tokens: Token[]; line: number }>;
}

const ROUTE_METHODS = new Set(['get', 'route', 'api_route', 'add_url_rule', 'add_get', 'add_api_route']);
const ROUTE_FUNCS = new Set(['Route', 'path', 're_path', 'get', 'route']);
const ROUTER_CTORS = new Map([
  ['fastapi.APIRouter', 'prefix'],
  ['fastapi.routing.APIRouter', 'prefix'],
  ['flask.Blueprint', 'url_prefix'],
  ['litestar.Router', 'path'],
  ['starlette.routing.Router', ''],
  ['aiohttp.web.RouteTableDef', ''],
]);

/** Parameters of a def whose '(' is at `open`: how many, and how many have no default. */
function parameters(t: Token[], open: number): { total: number; required: number } {
  const close = matchingBracket(t, open);
  let total = 0;
  let required = 0;
  let depth = 0;
  let part: Token[] = [];
  const flush = () => {
    const head = part[0]?.value;
    if (
      part.length > 0 &&
      head !== 'self' &&
      head !== 'cls' &&
      head !== '/' &&
      head !== '*' &&
      head !== '**'
    ) {
      total++;
      if (!part.some((x) => x.type === 'op' && x.value === '=')) required++;
    }
    part = [];
  };
  for (let k = open + 1; k < close; k++) {
    const x = t[k] as Token;
    if (x.type === 'op' && '([{'.includes(x.value)) depth++;
    else if (x.type === 'op' && ')]}'.includes(x.value)) depth--;
    if (depth === 0 && x.type === 'op' && x.value === ',') flush();
    else part.push(x);
  }
  flush();
  return { total, required };
}

function constructorFramework(q: string): Framework | null {
  for (const [name, spec] of Object.entries(frameworksData().frameworks)) {
    if (spec.constructors.includes(q)) return name as Framework;
  }
  return null;
}

function analyze(f: PyFile): FileFacts {
  const facts: FileFacts = {
    apps: [],
    factories: [],
    factoryCalls: [],
    streamlit: null,
    gradioLaunch: null,
    runApp: null,
    uvicornRun: [],
    devRun: [],
    routes: [],
    routerPrefix: new Map(),
    includes: [],
    mainGuard: false,
    settingsDefault: null,
    assignments: new Map(),
  };
  for (const [local, q] of f.bindings) {
    if ((q === 'streamlit' || q.startsWith('streamlit.')) && facts.streamlit === null) {
      const st = f.statements.find((s) =>
        s.tokens.some((t) => t.type === 'name' && (t.value === local || t.value === 'streamlit')),
      );
      facts.streamlit = st?.line ?? 1;
    }
  }
  const sts = f.statements;
  let gradioCtor = false;
  // Enclosing def/class blocks, by indent: module-level code under if/try/with still counts.
  const blocks: { indent: number; fn: boolean; main: boolean }[] = [];
  for (let si = 0; si < sts.length; si++) {
    const st = sts[si] as Statement;
    const t = st.tokens;
    const first = t[0] as Token;
    while (blocks.length > 0 && (blocks.at(-1) as { indent: number }).indent >= st.indent) blocks.pop();
    const topLevel = !blocks.some((b) => b.fn);
    const inMain = blocks.some((b) => b.main);
    const isMainGuard =
      first.value === 'if' &&
      t.some((x) => x.value === '__name__') &&
      t.some((x) => x.type === 'string' && x.value === '__main__');
    if (
      first.value === 'def' ||
      first.value === 'class' ||
      (first.value === 'async' && t[1]?.value === 'def')
    ) {
      blocks.push({ indent: st.indent, fn: true, main: false });
    } else if (t.at(-1)?.value === ':' && first.type === 'name') {
      blocks.push({ indent: st.indent, fn: false, main: isMainGuard });
    }

    if (isMainGuard) facts.mainGuard = true;

    // def factory(...): body returning an app.
    if (st.indent === 0 && (first.value === 'def' || (first.value === 'async' && t[1]?.value === 'def'))) {
      const nameTok = first.value === 'def' ? t[1] : t[2];
      if (nameTok?.type === 'name') {
        const open = t.findIndex((x) => x.value === '(');
        const params = open >= 0 ? parameters(t, open) : { total: 0, required: 0 };
        const arrow = t.findIndex((x) => x.value === '->');
        let fw: Framework | null = null;
        if (arrow >= 0) {
          const d = dottedName(t, arrow + 1);
          if (d) fw = constructorFramework(qualified(f, d.name));
        }
        const body: Statement[] = [];
        for (let j = si + 1; j < sts.length && (sts[j] as Statement).indent > st.indent; j++)
          body.push(sts[j] as Statement);
        const bodyApps = new Map<string, Framework>();
        let returns = false;
        for (const b of body) {
          const bt = b.tokens;
          if (bt[0]?.type === 'name' && bt[1]?.value === '=') {
            const d = dottedName(bt, 2);
            if (d && bt[d.end]?.value === '(') {
              const k = constructorFramework(qualified(f, d.name));
              if (k) bodyApps.set((bt[0] as Token).value, k);
            }
          }
          if (bt[0]?.value === 'return') {
            const d = dottedName(bt, 1);
            if (d && bodyApps.has(d.name)) {
              fw ??= bodyApps.get(d.name) ?? null;
              returns = true;
            } else if (d && bt[d.end]?.value === '(') {
              const k = constructorFramework(qualified(f, d.name));
              if (k) {
                fw ??= k;
                returns = true;
              }
            }
          }
        }
        if (fw && (returns || arrow >= 0)) {
          facts.factories.push({
            framework: fw,
            file: f,
            line: st.line,
            name: nameTok.value,
            factory: true,
            factoryParams: params.total,
            factoryRequired: params.required,
          });
        }
      }
    }

    // Module-level assignments: app = FastAPI(...), app: Flask = Flask(...), app = create_app()
    if (topLevel && first.type === 'name' && !facts.assignments.has(first.value)) {
      let k = 1;
      if (t[1]?.value === ':') {
        k = 2;
        while (k < t.length && t[k]?.value !== '=') k++;
      }
      if (t[k]?.value === '=' && t[k]?.type === 'op') {
        facts.assignments.set(first.value, { tokens: t.slice(k + 1), line: st.line });
        const d = dottedName(t, k + 1);
        if (d && t[d.end]?.value === '(') {
          const q = qualified(f, d.name);
          const fw = constructorFramework(q);
          // An app made only under `if __name__ == "__main__"` does not exist when a server imports the module.
          if (fw) {
            if (!inMain || fw === 'aiohttp')
              facts.apps.push({ framework: fw, file: f, line: st.line, name: first.value, factory: false });
          } else if (ROUTER_CTORS.has(q)) {
            const kw = ROUTER_CTORS.get(q) as string;
            const prefix = kw ? literalString(callArgs(t, d.end).keywords.get(kw)) : null;
            facts.routerPrefix.set(first.value, prefix ?? '');
          } else facts.factoryCalls.push({ name: first.value, callee: q, line: st.line });
        }
      }
    }
    // with gr.Blocks() as demo:
    if (first.value === 'with') {
      const d = dottedName(t, 1);
      if (d && constructorFramework(qualified(f, d.name)) === 'gradio') gradioCtor = true;
    }

    // Calls anywhere in the statement.
    for (let k = 0; k < t.length; k++) {
      if (t[k]?.type !== 'name' || (k > 0 && t[k - 1]?.value === '.')) continue;
      const d = dottedName(t, k);
      if (!d || t[d.end]?.value !== '(') continue;
      const q = qualified(f, d.name);
      const args = callArgs(t, d.end);
      const last = d.name.split('.').pop() as string;
      const obj = d.name.includes('.') ? d.name.slice(0, d.name.lastIndexOf('.')) : '';
      if (constructorFramework(q) === 'gradio') gradioCtor = true;
      if (q === 'uvicorn.run' || q === 'uvicorn.main.run') {
        const a0 = args.positional[0];
        facts.uvicornRun.push({
          line: st.line,
          target: literalString(a0),
          varName: a0?.length === 1 && a0[0]?.type === 'name' ? a0[0].value : null,
          port: literalInt(args.keywords.get('port')),
        });
      } else if (
        q === 'aiohttp.web.run_app' ||
        q === 'aiohttp.web_runner.run_app' ||
        q === 'aiohttp.web.run_app'
      ) {
        facts.runApp = { line: st.line, port: literalInt(args.keywords.get('port')) };
      } else if (last === 'launch' && gradioCtor) {
        facts.gradioLaunch = { line: st.line, port: literalInt(args.keywords.get('server_port')) };
      } else if (last === 'run' && obj && !obj.includes('.')) {
        facts.devRun.push({ varName: obj, line: st.line, port: literalInt(args.keywords.get('port')) });
      } else if ((last === 'include_router' || last === 'register_blueprint') && args.positional[0]?.length) {
        const target = args.positional[0]?.map((x) => x.value).join('') ?? '';
        const kw = args.keywords.get(last === 'include_router' ? 'prefix' : 'url_prefix');
        facts.includes.push({
          parent: qualified(f, obj),
          child: qualified(f, target),
          prefix: kw ? literalString(kw) : '',
        });
      } else if (q === 'os.environ.setdefault' || q === 'os.environ.__setitem__') {
        if (literalString(args.positional[0]) === 'DJANGO_SETTINGS_MODULE') {
          const v = literalString(args.positional[1]);
          if (v) facts.settingsDefault = { module: v, line: st.line };
        }
      }
      // Routes: decorators and route tables.
      const path0 = literalString(args.positional[0]);
      if (path0 !== null) {
        const decorator = k > 0 && t[k - 1]?.value === '@';
        if (
          (decorator || last === 'add_url_rule' || last === 'add_get' || last === 'add_api_route') &&
          obj &&
          ROUTE_METHODS.has(last)
        ) {
          facts.routes.push({ obj, path: path0, line: st.line });
        } else if (
          !obj &&
          ROUTE_FUNCS.has(last) &&
          (decorator || last === 'Route' || last === 'path' || last === 're_path')
        ) {
          facts.routes.push({ obj: '', path: path0, line: st.line });
        } else if (obj && ROUTE_FUNCS.has(last) && /(^|\.)web$/.test(obj)) {
          facts.routes.push({ obj: '', path: path0, line: st.line });
        } else if (
          q === 'django.urls.path' ||
          q === 'django.urls.re_path' ||
          q === 'starlette.routing.Route'
        ) {
          facts.routes.push({ obj: '', path: path0, line: st.line });
        }
      }
    }
  }
  return facts;
}

// ---------------------------------------------------------------------------------------------
// Procfile

export interface ProcfileLine {
  name: string;
  command: string;
  line: number;
}

export function parseProcfile(text: string): ProcfileLine[] {
  const out: ProcfileLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = /^\s*([A-Za-z0-9_-]+)\s*:\s*(.*?)\s*$/.exec(raw);
    if (m?.[2] && !raw.trimStart().startsWith('#'))
      out.push({ name: m[1] as string, command: m[2], line: i + 1 });
  });
  return out;
}

/** POSIX-shell-like split for simple commands; null when the command needs a real shell. */
export function shellSplit(cmd: string): string[] | null {
  const args: string[] = [];
  let cur = '';
  let has = false;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i] as string;
    if (c === "'") {
      const j = cmd.indexOf("'", i + 1);
      if (j < 0) return null;
      cur += cmd.slice(i + 1, j);
      has = true;
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < cmd.length && cmd[j] !== '"'; j++) {
        if (cmd[j] === '\\' && j + 1 < cmd.length) {
          cur += cmd[++j];
          continue;
        }
        if (cmd[j] === '`') return null;
        cur += cmd[j];
      }
      if (j >= cmd.length) return null;
      has = true;
      i = j;
    } else if (c === '\\' && i + 1 < cmd.length) {
      cur += cmd[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) args.push(cur);
      cur = '';
      has = false;
    } else if ('|&;<>()`'.includes(c)) {
      return null;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) args.push(cur);
  return args;
}

const PORT_VAR = /\$\{PORT(?::?-(\d+))?\}|\$PORT\b/g;
const RELEASE_STEP =
  /\b(migrate|collectstatic|makemigrations|alembic\s+upgrade|flask\s+db\s+upgrade|db\s+upgrade|pip\s+install|npm\s)/;

// ---------------------------------------------------------------------------------------------
// Django

interface DjangoFacts {
  info: DjangoInfo;
  /** Directory of manage.py relative to appDir ('.' usually). */
  dir: string;
  wsgiModule: string | null;
  asgiModule: string | null;
  urls: PyFile | null;
  settingsSource: Source;
  /** Why the settings module is not manage.py's default, when it is not. */
  note: string | null;
  wsgiSource?: Source;
  staticSource?: Source;
}

/**
 * STATIC_ROOT as a path: relative to the Django project directory (where manage.py is, which
 * BASE_DIR conventionally names) or absolute. `os.environ.get("X", "/srv/static")` gives its
 * default, which is what a build-time collectstatic sees. Anything else: the Python expression.
 */
export function staticRootValue(tokens: Token[] | undefined): string | null {
  if (!tokens || tokens.length === 0) return null;
  if (tokens.length === 1 && tokens[0]?.value === 'None') return null;
  const lit = literalString(tokens);
  if (lit !== null) return lit.replace(/\/+$/, '') || '/';
  const strings = tokens.filter((t) => t.type === 'string').map((t) => t.value);
  const names = tokens.filter((t) => t.type === 'name').map((t) => t.value);
  const fromEnv = names.includes('environ') || names.includes('getenv');
  if (fromEnv) {
    const open = tokens.findIndex((t) => t.value === '(');
    const args = open >= 0 ? callArgs(tokens, open) : null;
    const dflt = literalString(args?.positional[1] ?? args?.keywords.get('default'));
    if (dflt) return dflt.replace(/\/+$/, '') || '/';
  } else if (names.some((n) => /BASE_DIR|PROJECT_ROOT|ROOT_DIR|PROJECT_DIR/.test(n)) && strings.length > 0) {
    // BASE_DIR / "staticfiles", os.path.join(BASE_DIR, "static", "root"), BASE_DIR.joinpath("x")
    return strings
      .map((x) => x.replace(/^\/+|\/+$/g, ''))
      .filter(Boolean)
      .join('/');
  }
  let out = '';
  for (const t of tokens) {
    const v = t.type === 'string' ? JSON.stringify(t.value) : t.value;
    out +=
      t.type === 'op' && v !== '='
        ? v === ','
          ? ', '
          : v
        : /[\w"]$/.test(out) && /^[\w"]/.test(v)
          ? ` ${v}`
          : v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Command building

function depNames(deps: Dependency[], groups: string[] = []): Set<string> {
  const s = new Set<string>();
  const installed = new Set(['main', 'default', ...groups]);
  for (const d of deps) {
    if (d.group && !installed.has(d.group)) continue;
    const n = d.name.toLowerCase().replace(/[-_.]+/g, '-');
    s.add(n);
    for (const x of d.extras ?? []) s.add(`${n}[${x.toLowerCase()}]`);
    const m = /^\s*\[([^\]]*)\]/.exec(d.specifier ?? '');
    if (m?.[1]) for (const x of m[1].split(',')) s.add(`${n}[${x.trim().toLowerCase()}]`);
  }
  // Extras that bring a server along.
  if (s.has('fastapi[standard]') || s.has('fastapi[all]')) s.add('uvicorn');
  if (s.has('litestar[standard]')) s.add('uvicorn');
  return s;
}

function fill(template: string[], vars: Record<string, string>): string[] {
  return template.map((a) => a.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? `{${k}}`));
}

export interface Candidate {
  framework: Framework;
  score: number;
  file: string;
  line: number;
  describe: string;
  build: (port: number | null) => { command: string[]; entrypoint: string | null; server: string | null };
  module: string | null;
  importRoot: string;
  port: number | null;
  portSource?: Source;
  health: string | null;
  healthSource?: Source;
  /** Said when this candidate is chosen. */
  warning?: Warning;
  env?: Record<string, string>;
  django?: DjangoInfo | null;
}

// ---------------------------------------------------------------------------------------------

export async function detectFramework(
  root: string,
  appDir: string,
  deps: Dependency[],
  opts: FrameworkOptions,
): Promise<FrameworkResult> {
  const data = frameworksData();
  const base = path.join(root, appDir);
  const relToRoot = (rel: string) =>
    path.posix.normalize(
      appDir === '.' || appDir === '' ? rel : `${appDir.split(path.sep).join('/')}/${rel}`,
    );
  const src = (rel: string, line?: number): Source => ({ file: relToRoot(rel), ...(line ? { line } : {}) });
  const decisions: Decision[] = [];
  const warnings: Warning[] = [];
  const have = depNames(deps, opts.groups);

  const files = await scanFiles(base);
  const facts = new Map<PyFile, FileFacts>();
  for (const f of files) facts.set(f, analyze(f));

  const pickServer = (spec: FwSpec): string => {
    for (const [pkg, server] of Object.entries(spec.serverWhen ?? {})) {
      const s = data.servers[server];
      if (have.has(pkg) && (s?.requires ?? []).every((r) => have.has(r))) return server;
    }
    return spec.server;
  };
  const appDirFlags = (server: string, importRoot: string): string[] =>
    importRoot === '.' ? [] : fill(data.servers[server]?.appDir ?? [], { dir: importRoot });
  const serverCommand = (
    server: string,
    vars: Record<string, string>,
    importRoot: string,
    factory = false,
  ): string[] => {
    const s = data.servers[server];
    if (!s) return [];
    const cmd = fill(s.command, vars);
    const flags = appDirFlags(server, importRoot);
    if (factory && s.factory) cmd.splice(1, 0, ...s.factory);
    cmd.splice(1, 0, ...flags);
    return cmd;
  };

  // Routes, to find a health endpoint.
  // Route prefixes: a router's own prefix plus what each include_router/register_blueprint adds,
  // up to an object nobody includes (the app). A prefix that is not a literal makes the path unknown.
  const routerPrefix = new Map<string, string>();
  const includes: FileFacts['includes'] = [];
  for (const f of files) {
    const ff = facts.get(f) as FileFacts;
    for (const [k, v] of ff.routerPrefix) routerPrefix.set(`${f.module}.${k}`, v);
    includes.push(...ff.includes);
  }
  const mountPrefix = (key: string, depthLeft = 8): string | null => {
    const own = routerPrefix.get(key) ?? '';
    const inc = includes.find((i) => i.child === key);
    if (!inc || depthLeft === 0) return own;
    if (inc.prefix === null) return null;
    const up = mountPrefix(inc.parent, depthLeft - 1);
    return up === null ? null : up + inc.prefix + own;
  };
  const healthFor = (appFile: PyFile | null, appVar: string | null, files2: PyFile[]) => {
    const found: { path: string; source: Source }[] = [];
    for (const f of files2) {
      const ff = facts.get(f) as FileFacts;
      for (const r of ff.routes) {
        let prefix: string | null = '';
        if (r.obj) {
          const key = `${f.module}.${r.obj}`;
          if (f === appFile && r.obj === appVar) prefix = '';
          else if (routerPrefix.has(key) || includes.some((i) => i.child === key)) prefix = mountPrefix(key);
          else if (appVar && r.obj === appVar) prefix = '';
          else continue;
        }
        if (prefix === null) continue;
        let p = prefix + (r.path.startsWith('/') || r.path === '' ? r.path : `/${r.path}`);
        if (!p.startsWith('/')) p = `/${p}`;
        found.push({ path: p.replace(/\/{2,}/g, '/'), source: src(f.rel, r.line) });
      }
    }
    for (const want of data.healthPaths) {
      const hit = found.find((x) => x.path === want || x.path === `${want}/`);
      if (hit) return hit;
    }
    // Under a prefix (/api/health) when nothing answers at the top.
    for (const want of data.healthPaths) {
      const hit = found.find(
        (x) => !/[{<]/.test(x.path) && (x.path.endsWith(want) || x.path.endsWith(`${want}/`)),
      );
      if (hit) return hit;
    }
    return null;
  };

  const candidates: Candidate[] = [];
  const nameBonus = (rel: string) =>
    /(^|\/)(main|app|wsgi|asgi|server|api|web|application)\.py$/.test(rel) ? 5 : 0;
  const depth = (rel: string) => rel.split('/').length - 1;

  // Django first: manage.py (at the app dir or one level down).
  const django = await detectDjango(base, files, facts, src);
  if (django) {
    const spec = data.frameworks.django as FwSpec;
    const asgiOnly = !django.wsgiModule && !!django.asgiModule;
    const wantsAsgi = !!django.asgiModule && (have.has('channels') || have.has('daphne') || asgiOnly);
    const asgiDefault = spec.asgiServer ?? 'uvicorn';
    const asgiAlt = Object.entries(spec.asgiServerWhen ?? {}).find(
      ([pkg]) => have.has(pkg) && !have.has(data.servers[asgiDefault]?.package ?? ''),
    )?.[1];
    const server = wantsAsgi ? (asgiAlt ?? asgiDefault) : pickServer(spec);
    const target = wantsAsgi
      ? `${django.asgiModule}:${django.info.asgiApplication?.split('.').pop() ?? 'application'}`
      : `${django.wsgiModule ?? `${django.info.settingsModule.split('.')[0]}.wsgi`}:${django.info.wsgiApplication?.split('.').pop() ?? 'application'}`;
    const health = healthFor(
      null,
      null,
      django.urls ? [django.urls] : files.filter((f) => /(^|\/)urls\.py$/.test(f.rel)),
    );
    candidates.push({
      framework: 'django',
      score: 130,
      file: django.info.managePy,
      line: 1,
      describe: `Django project (settings ${django.info.settingsModule})`,
      module: target.split(':')[0] as string,
      importRoot: django.dir,
      port: spec.port,
      health: health?.path ?? spec.healthcheckPath,
      ...(health ? { healthSource: health.source } : {}),
      env: { DJANGO_SETTINGS_MODULE: django.info.settingsModule },
      django: django.info,
      build: (port) => ({
        command: serverCommand(server, { target, port: String(port) }, django.dir),
        entrypoint: target,
        server,
      }),
    });
    decisions.push({
      topic: 'django',
      value: `settings ${django.info.settingsModule}${django.info.staticRoot ? `, STATIC_ROOT ${django.info.staticRoot}` : ''}`,
      reason:
        (django.note ? `${django.note}; ` : '') +
        (django.info.staticRoot
          ? 'STATIC_ROOT is set, so static files are collected at build time'
          : 'no STATIC_ROOT: nothing to collect at build time'),
      source: django.settingsSource,
    });
  }

  // Application objects and factories.
  const allFactories = new Map<string, AppObject>();
  for (const f of files)
    for (const fa of (facts.get(f) as FileFacts).factories) allFactories.set(`${f.module}.${fa.name}`, fa);
  const appObjects: AppObject[] = [];
  const usedFactories = new Set<AppObject>();
  for (const f of files) {
    const ff = facts.get(f) as FileFacts;
    appObjects.push(...ff.apps);
    for (const call of ff.factoryCalls) {
      const fa = allFactories.get(call.callee);
      if (fa) {
        appObjects.push({
          framework: fa.framework,
          file: f,
          line: call.line,
          name: call.name,
          factory: false,
          via: `${call.callee}()`,
        });
        usedFactories.add(fa);
      }
    }
  }
  // A factory that a module already calls (wsgi.py: app = create_app()) is the same app, not another one.
  for (const fa of allFactories.values()) if (!usedFactories.has(fa)) appObjects.push(fa);

  const uvicornRuns = files.flatMap((f) =>
    (facts.get(f) as FileFacts).uvicornRun.map((u) => ({ ...u, file: f })),
  );
  for (const app of appObjects) {
    const f = app.file;
    const ff = facts.get(f) as FileFacts;
    const spec = data.frameworks[app.framework] as FwSpec | undefined;
    // Gradio objects are found through their launch() call below.
    if (!spec || spec.kind === 'script') continue;
    const target = `${f.module}:${app.name}`;
    let port = spec.port;
    let portSource: Source | undefined;
    // Port the code asks for: uvicorn.run("mod:app", port=N) / uvicorn.run(app, port=N) / app.run(port=N) / web.run_app(port=N).
    for (const u of uvicornRuns) {
      if (u.port && ((u.target && u.target === target) || (u.file === f && u.varName === app.name))) {
        port = u.port;
        portSource = src(u.file.rel, u.line);
      }
    }
    for (const r of ff.devRun) {
      if (r.port && r.varName === app.name) {
        port = r.port;
        portSource = src(f.rel, r.line);
      }
    }
    if (spec.kind === 'aiohttp' && ff.runApp?.port) {
      port = ff.runApp.port;
      portSource = src(f.rel, ff.runApp.line);
    }
    const health = healthFor(f, app.factory ? null : app.name, files);
    let score = spec.kind === 'worker' ? 60 : 100;
    score += nameBonus(f.rel) - 2 * depth(f.rel) + (app.factory ? 0 : 3);
    const what = app.factory
      ? `${app.framework} app factory ${app.name}() in ${relToRoot(f.rel)}`
      : `${app.framework} app \`${app.name}\`${app.via ? ` = ${app.via}` : ''} in ${relToRoot(f.rel)}`;
    const needsArgs = app.factory && (app.factoryRequired ?? 0) > 0 && spec.kind !== 'aiohttp';
    const cand: Candidate = {
      ...(needsArgs
        ? {
            warning: {
              code: 'factory-args',
              message: `the app factory ${app.name}() takes ${app.factoryRequired} argument(s) without defaults; the server calls it with none. Give them defaults or set [tool.pycontain] command`,
              source: src(f.rel, app.line),
            },
          }
        : {}),
      framework: app.framework,
      score,
      file: f.rel,
      line: app.line,
      describe: what,
      module: f.module,
      importRoot: f.importRoot,
      port,
      ...(portSource ? { portSource } : {}),
      health: spec.kind === 'worker' ? null : (health?.path ?? spec.healthcheckPath),
      ...(health && spec.kind !== 'worker' ? { healthSource: health.source } : {}),
      build: (p) => {
        if (spec.kind === 'worker') {
          const t = ['app', 'celery'].includes(app.name) ? f.module : `${f.module}:${app.name}`;
          return {
            command: serverCommand('celery-worker', { target: t }, f.importRoot),
            entrypoint: t,
            server: 'celery-worker',
          };
        }
        if (spec.kind === 'aiohttp') {
          if (ff.runApp) {
            const cmd =
              f.importRoot === '.' && !f.module.includes('.')
                ? ['python', f.rel]
                : ['python', '-m', f.module];
            if (f.importRoot !== '.' && f.module.includes('.'))
              return { command: cmd, entrypoint: target, server: 'python-module' };
            return { command: cmd, entrypoint: target, server: 'python-script' };
          }
          const server = pickServer(spec);
          if (server === 'aiohttp-web' && !(app.factory && (app.factoryParams ?? 0) >= 1)) {
            const expr = app.factory ? `${app.name}()` : app.name;
            return {
              command: [
                'python',
                '-c',
                `from aiohttp import web; from ${f.module} import ${app.name}; web.run_app(${expr}, host='0.0.0.0', port=${p})`,
              ],
              entrypoint: target,
              server: 'python',
            };
          }
          const t = app.factory && data.servers[server]?.factoryCall ? `${target}()` : target;
          return {
            command: serverCommand(server, { target: t, port: String(p) }, f.importRoot),
            entrypoint: target,
            server,
          };
        }
        const server = pickServer(spec);
        const s = data.servers[server];
        const t = app.factory && s?.factoryCall ? `${target}()` : target;
        return {
          command: serverCommand(server, { target: t, port: String(p) }, f.importRoot, app.factory),
          entrypoint: t,
          server,
        };
      },
    };
    candidates.push(cand);
  }

  // Streamlit scripts.
  for (const f of files) {
    const ff = facts.get(f) as FileFacts;
    if (ff.streamlit === null || /(^|\/)pages\//.test(f.rel)) continue;
    const spec = data.frameworks.streamlit as FwSpec;
    const port = (await streamlitConfigPort(base)) ?? spec.port;
    const preferred = /(^|\/)(streamlit_app|app|main|Home|home|dashboard)\.py$/.test(f.rel) ? 5 : 0;
    candidates.push({
      framework: 'streamlit',
      score: 95 + preferred - 2 * depth(f.rel),
      file: f.rel,
      line: ff.streamlit,
      describe: `Streamlit script ${relToRoot(f.rel)}`,
      module: null,
      importRoot: '.',
      port,
      health: spec.healthcheckPath,
      build: (p) => ({
        command: serverCommand('streamlit', { file: f.rel, port: String(p) }, '.'),
        entrypoint: f.rel,
        server: 'streamlit',
      }),
    });
  }

  // Gradio scripts.
  for (const f of files) {
    const ff = facts.get(f) as FileFacts;
    if (!ff.gradioLaunch) continue;
    const spec = data.frameworks.gradio as FwSpec;
    const port = ff.gradioLaunch.port ?? spec.port;
    candidates.push({
      framework: 'gradio',
      score: 95 + nameBonus(f.rel) - 2 * depth(f.rel),
      file: f.rel,
      line: ff.gradioLaunch.line,
      describe: `Gradio app launched in ${relToRoot(f.rel)}`,
      module: null,
      importRoot: '.',
      port,
      ...(ff.gradioLaunch.port ? { portSource: src(f.rel, ff.gradioLaunch.line) } : {}),
      health: spec.healthcheckPath,
      build: () => ({
        command:
          f.importRoot === '.' && !f.module.includes('.') ? ['python', f.rel] : ['python', '-m', f.module],
        entrypoint: f.rel,
        server: 'python-script',
      }),
      env: Object.fromEntries(
        Object.entries(spec.env ?? {}).map(([k, v]) => [k, v.replace('{port}', String(port))]),
      ),
    });
  }

  // Console scripts and __main__.py: command-line programs.
  const scripts = { ...opts.scripts };
  if (Object.keys(scripts).length === 0) Object.assign(scripts, await setupCfgScripts(base));
  const scriptNames = Object.keys(scripts);
  if (scriptNames.length > 0) {
    const norm = (s: string) => s.toLowerCase().replace(/[-_.]+/g, '-');
    const pn = opts.projectName ? norm(opts.projectName) : null;
    const chosen = scriptNames.find((s) => norm(s) === pn) ?? (scriptNames[0] as string);
    const target = scripts[chosen] as string;
    candidates.push({
      framework: 'cli',
      score: 20,
      file: existsSync(base, 'pyproject.toml') ? 'pyproject.toml' : 'setup.cfg',
      line: 0,
      describe: `console script ${chosen} = ${target}`,
      module: target.split(':')[0]?.trim() ?? null,
      importRoot: '.',
      port: null,
      health: null,
      build: () => ({ command: [chosen], entrypoint: target, server: 'console-script' }),
    });
    if (scriptNames.length > 1) {
      warnings.push({
        code: 'several-scripts',
        message: `several console scripts (${scriptNames.join(', ')}); the image runs ${chosen}. Set [tool.pycontain] command to pick another.`,
      });
    }
  }
  for (const f of files) {
    if (!f.rel.endsWith('/__main__.py')) continue;
    const pkg = f.module.replace(/\.?__main__$/, '');
    if (!pkg) continue;
    candidates.push({
      framework: 'cli',
      score: 15 - depth(f.rel),
      file: f.rel,
      line: 1,
      describe: `package ${pkg} with __main__.py`,
      module: pkg,
      importRoot: f.importRoot,
      port: null,
      health: null,
      build: () => ({ command: ['python', '-m', pkg], entrypoint: pkg, server: 'python-module' }),
      ...(f.importRoot !== '.' ? { env: { PYTHONPATH: f.importRoot } } : {}),
    });
  }

  // Procfile.
  const procText = await readIfExists(path.join(base, 'Procfile'));
  const proc = procText ? parseProcfile(procText) : [];
  const web = proc.find((p) => p.name === 'web');
  if (web) {
    // A candidate named by the Procfile wins; its command is the Procfile's, repaired.
    const words = web.command.split(/\s+/);
    for (const c of candidates) {
      const entry = c.build(c.port).entrypoint?.replace(/\(\)$/, '');
      if (entry && words.some((w) => w.replace(/^['"]|['"]$/g, '').replace(/\(\)$/, '') === entry))
        c.score += 50;
    }
  }

  candidates.sort((a, b) => b.score - a.score || a.file.localeCompare(b.file));
  const http = candidates.filter((c) => !['celery', 'cli'].includes(c.framework));
  const best: Candidate | undefined = http[0] ?? candidates[0];

  let command: string[] = [];
  let entrypoint: string | null = null;
  let port: number | null = null;
  let framework: Framework = 'unknown';
  let health: string | null = null;
  let env: Record<string, string> = {};
  let importRoot = '.';
  const importChecks: string[] = [];
  let portDecision: { reason: string; source?: Source } | null = null;

  if (best) {
    framework = best.framework;
    port = opts.overrides?.port ?? best.port;
    const built = best.build(port);
    command = built.command;
    entrypoint = built.entrypoint;
    health = best.health;
    env = { ...(best.env ?? {}) };
    importRoot = best.importRoot;
    if (best.module && best.framework !== 'streamlit' && best.framework !== 'gradio')
      importChecks.push(best.module);
    else if (best.framework === 'streamlit') importChecks.push('streamlit');
    else if (best.framework === 'gradio') importChecks.push('gradio');
    decisions.push({
      topic: 'framework',
      value: framework,
      reason: `found ${best.describe}`,
      ...(best.framework === 'cli' && best.line === 0
        ? { source: src(best.file) }
        : { source: src(best.file, best.line || undefined) }),
    });
    if (best.portSource) portDecision = { reason: 'the port the code asks for', source: best.portSource };
    else if (port !== null) portDecision = { reason: `${framework}'s default port` };
    if (best.warning) warnings.push(best.warning);
    // Server presence.
    const server = built.server ? data.servers[built.server] : undefined;
    const missing = [server?.package, ...(server?.requires ?? [])].filter(
      (p): p is string => !!p && !have.has(p),
    );
    if (missing.length > 0 && deps.length > 0) {
      warnings.push({
        code: 'server-missing',
        message: `${framework} is served with ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not among the dependencies: add ${missing.join(', ')} or the container will not start`,
        source: src(best.file, best.line || undefined),
      });
    }
    const others = candidates.filter((c) => c !== best && c.framework !== 'cli');
    const otherHttp = others.filter((c) => c.framework !== 'celery');
    if (otherHttp.length > 0 && best.framework !== 'cli') {
      warnings.push({
        code: 'several-apps',
        message: `several applications in the code; chose ${best.describe}, not ${otherHttp
          .slice(0, 4)
          .map((c) => `${c.describe} (${relToRoot(c.file)}:${c.line})`)
          .join(', ')}. Set [tool.pycontain] command to choose.`,
        source: src(best.file, best.line || undefined),
      });
    }
    for (const w of others.filter((c) => c.framework === 'celery' && best?.framework !== 'celery')) {
      warnings.push({
        code: 'worker-not-run',
        message: `${w.describe} is not started by this image's command; run a second container from the same image with: ${w.build(null).command.join(' ')}`,
        source: src(w.file, w.line),
      });
    }
  }

  // Procfile web: honoured, repaired.
  if (web && !opts.overrides?.command) {
    const repaired = repairProcfile(
      web,
      framework,
      port ?? (best ? null : 8000),
      best,
      (c) => c.build(port).command,
    );
    for (const w of repaired.warnings) warnings.push({ ...w, source: src('Procfile', web.line) });
    if (repaired.command) {
      command = repaired.command;
      if (repaired.port !== null && opts.overrides?.port === undefined && repaired.port !== port) {
        port = repaired.port;
        portDecision = {
          reason: 'the port the Procfile web process listens on',
          source: src('Procfile', web.line),
        };
      }
      if (repaired.framework && framework === 'unknown') framework = repaired.framework;
      if (repaired.target) entrypoint = repaired.target;
      decisions.push({
        topic: 'command',
        value: command.join(' '),
        reason: repaired.reason,
        source: src('Procfile', web.line),
      });
    }
  } else if (best) {
    decisions.push({
      topic: 'command',
      value: command.join(' '),
      reason: commandReason(best, framework),
      source: src(best.file, best.line || undefined),
    });
  }

  // Launcher evidence first (src/project/launcher.ts); the framework defaults above are the fallback.
  const launch = await findLaunchers({
    base,
    files,
    scripts,
    installed: have,
    display: relToRoot,
    ...(opts.projectName ? { projectName: opts.projectName } : {}),
  });
  const overridePort = opts.overrides?.port;
  // A launcher with a fixed port cannot serve on the port the user chose.
  const launcher = launch.candidates.find(
    (c) =>
      overridePort === undefined || c.portEnv !== undefined || c.port === null || c.port === overridePort,
  );
  if (launcher && launcher.kind !== 'procfile' && !opts.overrides?.command)
    ({ command, port, env, portDecision } = useLauncher(
      launcher,
      { command, port, env, portDecision },
      opts.overrides?.port,
      decisions,
      warnings,
    ));
  else if (
    !launcher &&
    !web &&
    best?.port &&
    !best.portSource &&
    launch.settingsPort &&
    opts.overrides?.port === undefined
  ) {
    port = launch.settingsPort.port;
    command = best.build(port).command;
    portDecision = launch.settingsPort;
    for (const d of decisions) if (d.topic === 'command') d.value = command.join(' ');
  }
  decisions.push(...droppedDecisions(launch));

  if (!best && !web && !launcher) {
    // A plain script as a last resort: main.py / app.py with a __main__ guard.
    const script = files
      .filter((f) => !f.rel.includes('/') && (facts.get(f) as FileFacts).mainGuard)
      .sort((a, b) => nameBonus(b.rel) - nameBonus(a.rel))[0];
    if (script) {
      command = ['python', script.rel];
      entrypoint = script.rel;
      decisions.push({
        topic: 'command',
        value: command.join(' '),
        reason: 'no framework found; this script runs itself under if __name__ == "__main__"',
        source: src(script.rel),
      });
    } else {
      warnings.push({
        code: 'no-entrypoint',
        message: 'no application, script or Procfile found to start; set [tool.pycontain] command = ["..."]',
      });
    }
  }

  if (opts.overrides?.command) {
    command = [...opts.overrides.command];
    decisions.push({ topic: 'command', value: command.join(' '), reason: 'set by the command override' });
  }
  if (opts.overrides?.port !== undefined) {
    port = opts.overrides.port;
    portDecision = { reason: 'set by the port override' };
    if (env.GRADIO_SERVER_PORT) env.GRADIO_SERVER_PORT = String(port);
  }
  if (port !== null && portDecision) {
    decisions.push({
      topic: 'port',
      value: String(port),
      reason: portDecision.reason,
      ...(portDecision.source ? { source: portDecision.source } : {}),
    });
  }
  if (port === null) health = null;
  if (health) {
    const hs = best?.healthSource;
    decisions.push({
      topic: 'healthcheck',
      value: health,
      reason: hs ? 'a health route in the code' : `no health route found; ${framework}'s root answers`,
      ...(hs ? { source: hs } : {}),
    });
  }
  if (entrypoint)
    decisions.push({
      topic: 'entrypoint',
      value: entrypoint,
      reason:
        importRoot === '.'
          ? 'importable from the app directory'
          : `importable with ${importRoot}/ on the import path (the command passes it; PYTHONPATH=${importRoot} elsewhere)`,
    });

  return {
    framework,
    entrypoint,
    command,
    port,
    healthcheckPath: health,
    importChecks,
    django: best?.framework === 'django' ? (best.django ?? null) : null,
    env,
    decisions,
    warnings,
    importRoot,
  };
}

function commandReason(c: Candidate, framework: Framework): string {
  const kind = frameworksData().frameworks[framework]?.kind;
  if (kind === 'asgi') return 'an ASGI app is served by an ASGI server bound to 0.0.0.0';
  if (kind === 'wsgi') return 'a production WSGI server bound to 0.0.0.0 (never the development server)';
  if (kind === 'worker') return 'a Celery app runs as a worker; it serves no HTTP';
  if (kind === 'aiohttp')
    return c.build(c.port).server === 'python-script' || c.build(c.port).server === 'python-module'
      ? 'the module starts itself with web.run_app'
      : 'aiohttp app served on 0.0.0.0';
  if (framework === 'streamlit') return 'streamlit run, listening on 0.0.0.0';
  if (framework === 'gradio')
    return 'the script launches Gradio; GRADIO_SERVER_NAME makes it listen on 0.0.0.0';
  return 'the program the project declares';
}

interface Repaired {
  command: string[] | null;
  port: number | null;
  framework: Framework | null;
  /** The import target the server is given ('app.main:app'), when there is one. */
  target: string | null;
  reason: string;
  warnings: Warning[];
}

export function repairProcfile(
  web: ProcfileLine,
  framework: Framework,
  defaultPort: number | null,
  best: Candidate | undefined,
  generated: (c: Candidate) => string[],
): Repaired {
  const data = frameworksData();
  const warnings: Warning[] = [];
  let text = web.command.trim();
  const segments = text.split(/\s*&&\s*/);
  if (segments.length > 1) {
    const release = segments.filter((s) => RELEASE_STEP.test(s));
    const kept = segments.filter((s) => !RELEASE_STEP.test(s));
    if (release.length > 0) {
      warnings.push({
        code: 'procfile-migrate',
        message: `Procfile web runs "${release.join(' && ')}" before the server; left out of the image's command: run it once per deploy (a release job or init container), not on every container start`,
      });
      text = kept.join(' && ');
    }
  }
  text = text.replace(/^exec\s+/, '');
  for (const dev of data.devServers) {
    if (new RegExp(dev.match).test(text)) {
      const fw = dev.framework as Framework;
      const cmd = best && best.framework === fw ? generated(best) : null;
      warnings.push({
        code: 'dev-server',
        message: `Procfile web runs the development server (${dev.why}); the image uses ${cmd ? cmd.join(' ') : 'a production server'} instead`,
      });
      return {
        command: cmd,
        port: null,
        framework: fw,
        target: null,
        reason: `Procfile web named a development server, replaced`,
        warnings,
      };
    }
  }
  let port = defaultPort;
  const portVar = /\$\{PORT:-(\d+)\}/.exec(text);
  if (portVar) port = Number(portVar[1]);
  const usesPortVar = PORT_VAR.test(text);
  PORT_VAR.lastIndex = 0;
  const fixed = text.replace(PORT_VAR, () => String(port ?? 8000));
  let argv = shellSplit(fixed);
  if (!argv || argv.length === 0 || /\$/.test(fixed)) {
    warnings.push({
      code: 'procfile-shell',
      message:
        'Procfile web needs a shell (pipes, variables or chaining): it runs through sh -c, which distroless images do not have',
    });
    return {
      command: ['sh', '-c', fixed],
      port,
      framework: null,
      target: null,
      reason: 'the Procfile web process, run by a shell',
      warnings,
    };
  }
  const prog = path.posix.basename(argv[0] as string);
  if (['gunicorn', 'uvicorn', 'hypercorn', 'daphne', 'streamlit'].includes(prog)) {
    // --port=5000 -> --port 5000, so each flag is found and fixed in one place.
    argv = argv.flatMap((a) =>
      /^--[\w.-]+=/.test(a) ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a],
    );
  }
  // Bind to all interfaces: a server on 127.0.0.1 cannot be reached through a published port.
  const fixBind = (flagIdx: number) => {
    const v = argv?.[flagIdx + 1];
    if (!v) return;
    const m = /^(?:(.*):)?(\d+)$/.exec(v);
    if (m) {
      port = Number(m[2]);
      if (m[1] !== '0.0.0.0' && m[1] !== '[::]') {
        (argv as string[])[flagIdx + 1] = `0.0.0.0:${m[2]}`;
        if (m[1])
          warnings.push({
            code: 'procfile-bind',
            message: `Procfile web binds ${v}; the image binds 0.0.0.0:${m[2]} so the port can be published`,
          });
      }
    }
  };
  if (prog === 'gunicorn') {
    const j = argv.findIndex((a) => a === '--bind' || a === '-b');
    if (j >= 0) fixBind(j);
    else argv.push('--bind', `0.0.0.0:${port ?? 8000}`);
    port ??= 8000;
  } else if (prog === 'uvicorn' || prog === 'hypercorn' || prog === 'daphne') {
    const hostFlag = prog === 'daphne' ? ['-b', '--bind'] : ['--host'];
    const h = argv.findIndex((a) => hostFlag.includes(a));
    if (prog === 'hypercorn') {
      const b = argv.findIndex((a) => a === '--bind' || a === '-b');
      if (b >= 0) fixBind(b);
      else argv.push('--bind', `0.0.0.0:${port ?? 8000}`);
    } else if (h >= 0) {
      if (argv[h + 1] !== '0.0.0.0') {
        warnings.push({
          code: 'procfile-bind',
          message: `Procfile web listens on ${argv[h + 1]}; the image listens on 0.0.0.0`,
        });
        argv[h + 1] = '0.0.0.0';
      }
    } else argv.push(hostFlag[0] as string, '0.0.0.0');
    const p = argv.findIndex((a) => a === '--port' || a === '-p');
    if (p >= 0 && /^\d+$/.test(argv[p + 1] ?? '')) port = Number(argv[p + 1]);
    else if (prog !== 'hypercorn') {
      port ??= 8000;
      argv.push(prog === 'daphne' ? '-p' : '--port', String(port));
    }
  } else if (prog === 'streamlit') {
    const p = argv.indexOf('--server.port');
    if (p >= 0 && /^\d+$/.test(argv[p + 1] ?? '')) port = Number(argv[p + 1]);
    if (!argv.includes('--server.address')) argv.push('--server.address', '0.0.0.0');
  }
  let fw: Framework | null = null;
  if (prog === 'celery') fw = 'celery';
  else if (prog === 'streamlit') fw = 'streamlit';
  if (best && framework !== 'unknown') fw = framework;
  argv = argv.filter((a) => a !== '');
  const target = ['gunicorn', 'uvicorn', 'hypercorn', 'daphne'].includes(prog)
    ? (argv
        .slice(1)
        .find((a, i, all) => /^[\w.]+:[\w.]+(\(.*\))?$/.test(a) && !/^-/.test(all[i - 1] ?? '')) ?? null)
    : null;
  return {
    command: argv,
    port,
    framework: fw,
    target,
    reason: usesPortVar
      ? `the Procfile web process, with $PORT fixed to ${port} (exec form has no variable expansion)`
      : 'the Procfile web process',
    warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers with the file system

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch {
    return null;
  }
}

function existsSync(base: string, rel: string): boolean {
  try {
    readFileSync(path.join(base, rel));
    return true;
  } catch {
    return false;
  }
}

async function streamlitConfigPort(base: string): Promise<number | null> {
  const text = await readIfExists(path.join(base, '.streamlit', 'config.toml'));
  if (!text) return null;
  try {
    const doc = parseToml(text) as { server?: { port?: unknown } };
    return typeof doc.server?.port === 'number' ? doc.server.port : null;
  } catch {
    return null;
  }
}

/** console_scripts from setup.cfg's [options.entry_points] (setuptools projects without pyproject scripts). */
export async function setupCfgScripts(base: string): Promise<Record<string, string>> {
  const text = await readIfExists(path.join(base, 'setup.cfg'));
  const out: Record<string, string> = {};
  if (!text) return out;
  let section = '';
  let inKey = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s[#;].*$/, '');
    const sec = /^\[([^\]]+)\]/.exec(line);
    if (sec) {
      section = (sec[1] as string).trim();
      inKey = false;
      continue;
    }
    if (section !== 'options.entry_points') continue;
    const key = /^([A-Za-z_][\w.-]*)\s*=\s*(.*)$/.exec(line);
    if (key) {
      inKey = key[1] === 'console_scripts';
      if (inKey && key[2]?.trim()) {
        const m = /^\s*([\w.-]+)\s*=\s*([\w.]+\s*:\s*[\w.]+)/.exec(key[2]);
        if (m) out[m[1] as string] = (m[2] as string).replace(/\s+/g, '');
      }
      continue;
    }
    if (inKey && /^\s+\S/.test(line)) {
      const m = /^\s*([\w.-]+)\s*=\s*([\w.]+\s*:\s*[\w.]+)/.exec(line);
      if (m) out[m[1] as string] = (m[2] as string).replace(/\s+/g, '');
    }
  }
  return out;
}

async function detectDjango(
  base: string,
  files: PyFile[],
  facts: Map<PyFile, FileFacts>,
  src: (rel: string, line?: number) => Source,
): Promise<DjangoFacts | null> {
  // manage.py at the app dir, else one level down (repo/app/manage.py).
  let managePy: string | null = null;
  if (await readIfExists(path.join(base, 'manage.py'))) managePy = 'manage.py';
  else {
    const deeper = files.filter((f) => /^[^/]+\/manage\.py$/.test(f.rel)).map((f) => f.rel);
    managePy = deeper[0] ?? null;
  }
  if (!managePy) return null;
  const dir = managePy.includes('/') ? managePy.slice(0, managePy.lastIndexOf('/')) : '.';
  const inDir = (rel: string) => (dir === '.' ? rel : `${dir}/${rel}`);
  const manageText = (await readIfExists(path.join(base, managePy))) ?? '';
  const manageFacts = analyze({
    rel: managePy,
    statements: scanPython(manageText),
    bindings: importBindings(scanPython(manageText)),
    module: 'manage',
    importRoot: dir,
    isPackageInit: false,
    text: manageText,
  });
  if (!/django/.test(manageText) && !manageFacts.settingsDefault) return null;
  // Module names relative to manage.py's directory.
  const modFile = (mod: string): PyFile | undefined => {
    const p = mod.split('.').join('/');
    return files.find((f) => f.rel === inDir(`${p}.py`) || f.rel === inDir(`${p}/__init__.py`));
  };
  let settingsModule = manageFacts.settingsDefault?.module ?? null;
  let settingsSource: Source = src(managePy, manageFacts.settingsDefault?.line);
  if (!settingsModule) {
    for (const f of files) {
      const sd = facts.get(f)?.settingsDefault;
      if (sd && /(^|\/)(wsgi|asgi)\.py$/.test(f.rel)) {
        settingsModule = sd.module;
        settingsSource = src(f.rel, sd.line);
        break;
      }
    }
  }
  if (!settingsModule) {
    const s = files.find(
      (f) => /(^|\/)settings\.py$/.test(f.rel) && facts.get(f)?.assignments.has('INSTALLED_APPS'),
    );
    if (!s) return null;
    const rel = dir === '.' ? s.rel : s.rel.slice(dir.length + 1);
    settingsModule = rel.replace(/\.py$/, '').split('/').join('.');
    settingsSource = src(s.rel);
  }
  const resolve = (settings: string) => {
    // Settings may be split (settings/production.py doing `from .base import *`): follow star imports.
    const settingsFiles: PyFile[] = [];
    const queue = [settings];
    const seen = new Set<string>();
    while (queue.length > 0 && settingsFiles.length < 8) {
      const m = queue.shift() as string;
      if (seen.has(m)) continue;
      seen.add(m);
      const f = modFile(m);
      if (!f) continue;
      settingsFiles.push(f);
      for (const st of f.statements) {
        const t = st.tokens;
        if (t[0]?.value === 'from' && t.at(-1)?.value === '*') {
          let k = 1;
          let rel = '';
          while (t[k]?.value === '.' || t[k]?.value === '...') rel += (t[k++] as Token).value;
          const d = t[k]?.value === 'import' ? null : dottedName(t, k);
          const pkg = m.split('.');
          if (!f.isPackageInit) pkg.pop();
          for (let i = 1; i < rel.length; i++) pkg.pop();
          queue.push(rel ? [...pkg, ...(d ? [d.name] : [])].join('.') : (d?.name ?? ''));
        }
      }
    }
    const lookup = (name: string): { tokens: Token[]; line: number; file: PyFile } | null => {
      // The module itself wins over what it star-imports.
      for (const f of settingsFiles) {
        const a = facts.get(f)?.assignments.get(name);
        if (a) return { ...a, file: f };
      }
      return null;
    };
    const wsgi = lookup('WSGI_APPLICATION');
    const asgi = lookup('ASGI_APPLICATION');
    const staticRoot = lookup('STATIC_ROOT');
    const urlconf = lookup('ROOT_URLCONF');
    const wsgiApp = literalString(wsgi?.tokens);
    const asgiApp = literalString(asgi?.tokens);
    const top = settings.split('.')[0] as string;
    const wsgiModule = wsgiApp
      ? wsgiApp.slice(0, wsgiApp.lastIndexOf('.'))
      : modFile(`${top}.wsgi`)
        ? `${top}.wsgi`
        : null;
    const asgiModule = asgiApp
      ? asgiApp.slice(0, asgiApp.lastIndexOf('.'))
      : modFile(`${top}.asgi`)
        ? `${top}.asgi`
        : null;
    return { wsgi, asgi, staticRoot, urlconf, wsgiApp, asgiApp, wsgiModule, asgiModule };
  };
  let r = resolve(settingsModule);
  // The server imports the WSGI module; when its default settings differ from manage.py's
  // (cookiecutter-django: local vs production), the image runs with the server's.
  let note: string | null = null;
  const serverModuleDefault = r.wsgiModule ? modFile(r.wsgiModule) : undefined;
  const sd = serverModuleDefault ? facts.get(serverModuleDefault)?.settingsDefault : null;
  if (sd && serverModuleDefault && sd.module !== settingsModule && modFile(sd.module)) {
    note = `manage.py defaults to ${settingsModule}, the WSGI module to ${sd.module}: the image uses the server's`;
    settingsModule = sd.module;
    settingsSource = src(serverModuleDefault.rel, sd.line);
    r = resolve(settingsModule);
  }
  const { wsgi, staticRoot, urlconf, wsgiApp, asgiApp, wsgiModule, asgiModule } = r;
  const info: DjangoInfo = {
    settingsModule,
    ...(wsgiApp ? { wsgiApplication: wsgiApp } : {}),
    ...(asgiApp ? { asgiApplication: asgiApp } : {}),
    staticRoot: ((v) => (v && dir !== '.' && !v.startsWith('/') && /^[\w./-]+$/.test(v) ? `${dir}/${v}` : v))(
      staticRootValue(staticRoot?.tokens),
    ),
    managePy,
  };
  const rootUrlconf = literalString(urlconf?.tokens);
  return {
    info,
    dir,
    wsgiModule,
    asgiModule,
    urls: rootUrlconf ? (modFile(rootUrlconf) ?? null) : null,
    settingsSource,
    note,
    ...(wsgi ? { wsgiSource: src(wsgi.file.rel, wsgi.line) } : {}),
    ...(staticRoot ? { staticSource: src(staticRoot.file.rel, staticRoot.line) } : {}),
  };
}
