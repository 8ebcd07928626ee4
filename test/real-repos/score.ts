// Scoring `detect` against the corpus truth. A start command is right when it starts the same app
// the same way: the same launcher (or a server of the same kind: any ASGI server serves an ASGI
// app), the same app object, and the same port. Everything here is pure so it is unit-tested.
import { shellSplit } from '../../src/project/framework.js';
import type { CorpusEntry, Truth } from './truth.js';

export interface Launch {
  /** 'asgi-server' | 'wsgi-server' | 'celery worker' | 'streamlit' | 'python -m pkg' | 'python app.py' | console script … */
  launcher: string;
  /** `module:object` (object '*' when the launcher finds it itself), a script path, or a subcommand. */
  target: string | null;
  /** A development server (`flask run`, `manage.py runserver`, `--reload`): never right in an image. */
  dev: boolean;
}

const WRAPPERS = new Set(['exec', 'tini', 'dumb-init', 'nice', 'stdbuf', 'env']);
const USER_WRAPPERS = new Set(['gosu', 'su-exec', 'chpst']);
// Flags of these launchers that take a value: a bare word after them is not the target.
const VALUE_FLAGS = new Set([
  '-b',
  '--bind',
  '-w',
  '--workers',
  '-k',
  '--worker-class',
  '-c',
  '--config',
  '-t',
  '--timeout',
  '--graceful-timeout',
  '--keep-alive',
  '--log-level',
  '--log-config',
  '--log-file',
  '--access-logfile',
  '--error-logfile',
  '--access-logformat',
  '--chdir',
  '--pythonpath',
  '--threads',
  '--max-requests',
  '--max-requests-jitter',
  '--worker-tmp-dir',
  '--forwarded-allow-ips',
  '--host',
  '--port',
  '-p',
  '--app-dir',
  '--root-path',
  '--proxy-headers-allow',
  '--limit-concurrency',
  '--timeout-keep-alive',
  '--env-file',
  '--interface',
  '--http',
  '--loop',
  '--ws',
  '-e',
  '--env',
  '--name',
  '-n',
  '--ini',
  '--user',
  '-u',
  '--group',
  '-g',
  '--backlog',
  '--certfile',
  '--keyfile',
  '--uds',
  '--fd',
  '--root-path',
  '--server-name',
  '--server-port',
  '--listen',
  '--threads',
  '--url-prefix',
  '--access-log',
  '-l',
  '--loglevel',
  '--concurrency',
  '-Q',
  '--queues',
  '-A',
  '--app',
  '--workdir',
]);

const ENV_ASSIGN = /^[A-Za-z_][A-Za-z0-9_]*=/;
const MODULE_OBJ = /^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*(\(.*\))?$/;
const MODULE = /^[A-Za-z_][\w.]*$/;

function base(argv0: string): string {
  const b = argv0.split('/').pop() ?? argv0;
  return /^python(3(\.\d+)?)?$/.test(b) ? 'python' : b;
}

/** Strip shells, init wrappers, user switchers and env assignments down to the exec'd program. */
export function unwrap(argv: string[]): string[] {
  let a = [...argv];
  for (let guard = 0; guard < 10 && a.length > 0; guard++) {
    const b = base(a[0] ?? '');
    if ((b === 'sh' || b === 'bash' || b === 'ash') && a[1] === '-c' && a[2] !== undefined) {
      // The last command of `a && b && exec c` is the one that keeps running.
      const parts = a[2]
        .split(/&&|;|\|\|/)
        .map((s) => s.trim())
        .filter(Boolean);
      a = shellSplit(parts[parts.length - 1] ?? '') ?? [];
      continue;
    }
    if (WRAPPERS.has(b)) {
      a = a.slice(1);
      while (a[0] === '--' || (a[0]?.startsWith('-') && b !== 'exec')) a = a.slice(1);
      continue;
    }
    if (USER_WRAPPERS.has(b)) {
      a = a.slice(2);
      continue;
    }
    if (ENV_ASSIGN.test(a[0] ?? '')) {
      a = a.slice(1);
      continue;
    }
    if (b === 'uv' && a[1] === 'run') {
      a = a
        .slice(2)
        .filter((x, i, all) => !(x.startsWith('--') && i < all.findIndex((y) => !y.startsWith('-'))));
      continue;
    }
    if ((b === 'poetry' || b === 'pdm' || b === 'pipenv') && a[1] === 'run') {
      a = a.slice(2);
      continue;
    }
    break;
  }
  return a;
}

function positionals(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const x = args[i] ?? '';
    if (x.startsWith('-')) {
      if (!x.includes('=') && VALUE_FLAGS.has(x)) i++;
      continue;
    }
    out.push(x);
  }
  return out;
}

function flagValue(args: string[], ...names: string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const x = args[i] ?? '';
    for (const n of names) {
      if (x === n) return args[i + 1] ?? null;
      if (x.startsWith(`${n}=`)) return x.slice(n.length + 1);
    }
  }
  return null;
}

/** `pkg/app.py` → `pkg.app`; leading `./`, `src/` and absolute in-container prefixes dropped. */
export function moduleOfPath(p: string): string {
  return scriptPath(p)
    .replace(/\.py$/, '')
    .replace(/\/__init__$/, '')
    .split('/')
    .join('.');
}

/** A script path without the in-container prefix it was written with (`/app/main.py` → `main.py`). */
export function scriptPath(p: string): string {
  return p
    .replace(/^\.\//, '')
    .replace(/^\/(app|code|srv|src|opt\/app|usr\/src\/app|home\/\w+\/app)\//, '')
    .replace(/^src\//, '');
}

function target(t: string | null, factory = false): string | null {
  if (!t) return null;
  const x = t.replace(/^["']|["']$/g, '');
  if (MODULE_OBJ.test(x)) {
    const [m, o] = x.split(':') as [string, string];
    const obj = factory && !o.endsWith(')') ? `${o}()` : o.replace(/\(.*\)$/, '()');
    return `${m}:${obj}`;
  }
  if (MODULE.test(x)) return `${x}:*`;
  return x;
}

export function launchOf(argvIn: string[]): Launch {
  const argv = unwrap(argvIn);
  const b = base(argv[0] ?? '');
  let args = argv.slice(1);
  let prog = b;
  if (b === 'python') {
    const m = args.indexOf('-m');
    if (m >= 0 && args[m + 1]) {
      prog = args[m + 1] as string;
      args = args.slice(m + 2);
    } else {
      const script = args.find((x) => !x.startsWith('-'));
      if (!script) return { launcher: 'python', target: null, dev: false };
      const rest = args.slice(args.indexOf(script) + 1);
      if (/(^|\/)manage\.py$/.test(script)) {
        const sub = rest.find((x) => !x.startsWith('-')) ?? null;
        return { launcher: 'manage.py', target: sub, dev: sub === 'runserver' };
      }
      return { launcher: `python ${scriptPath(script)}`, target: null, dev: false };
    }
  }
  const pos = positionals(args);
  const dev = args.includes('--reload') || args.includes('--debug');
  switch (prog) {
    case 'gunicorn': {
      const k = flagValue(args, '-k', '--worker-class') ?? '';
      const kind = /uvicorn|asgi/i.test(k) ? 'asgi-server' : 'wsgi-server';
      const t = pos.find((x) => MODULE_OBJ.test(x) || MODULE.test(x)) ?? null;
      const tt = t && !t.includes(':') ? `${t}:application` : target(t);
      return { launcher: kind, target: tt, dev };
    }
    case 'uvicorn':
    case 'hypercorn':
    case 'daphne':
      return { launcher: 'asgi-server', target: target(pos[0] ?? null, args.includes('--factory')), dev };
    case 'granian': {
      const iface = flagValue(args, '--interface') ?? 'rsgi';
      const kind = iface.startsWith('asgi') ? 'asgi-server' : iface === 'wsgi' ? 'wsgi-server' : 'granian';
      return { launcher: kind, target: target(pos[0] ?? null, args.includes('--factory')), dev };
    }
    case 'waitress-serve':
    case 'waitress':
      return {
        launcher: 'wsgi-server',
        target: target(pos[0] ?? null, args.includes('--call')),
        dev,
      };
    case 'uwsgi': {
      const mod = flagValue(args, '--module', '-w', '--wsgi');
      const file = flagValue(args, '--wsgi-file');
      const t = mod ? target(mod) : file ? `${moduleOfPath(file)}:application` : null;
      return { launcher: 'wsgi-server', target: t, dev };
    }
    case 'fastapi': {
      const sub = pos[0] ?? null;
      const file = pos[1] ?? null;
      return {
        launcher: 'asgi-server',
        target: file ? `${moduleOfPath(file)}:*` : '*',
        dev: sub === 'dev' || dev,
      };
    }
    case 'litestar': {
      const app = flagValue(args, '--app');
      return { launcher: 'asgi-server', target: app ? target(app) : '*', dev: dev };
    }
    case 'flask':
      return { launcher: 'flask', target: flagValue(args, '--app', '-A'), dev: pos[0] === 'run' };
    case 'celery': {
      const app = flagValue(args, '-A', '--app');
      const sub = pos[0] ?? null;
      return { launcher: `celery ${sub ?? ''}`.trim(), target: app ? target(app) : null, dev };
    }
    case 'streamlit':
      return { launcher: 'streamlit', target: pos[1] ? scriptPath(pos[1]) : null, dev };
    case 'gradio':
      return { launcher: `python ${pos[0] ? scriptPath(pos[0]) : ''}`.trim(), target: null, dev: true };
    default: {
      // A program's subcommand is its first argument (`freqtrade trade`); an option's value
      // (`-d /datastore`) is not one.
      const sub = args[0] && /^[A-Za-z][\w.-]*$/.test(args[0]) ? args[0] : null;
      if (b === 'python') return { launcher: `python -m ${prog}`, target: sub, dev };
      return { launcher: prog, target: sub, dev };
    }
  }
}

/** `a.b:c` and `a.b.c` name the same object; `*` matches any object of the module. */
export function sameTarget(a: string | null, b: string | null): boolean {
  if (a === b) return true;
  if (a === '*' || b === '*') return true;
  if (!a || !b) return false;
  const norm = (s: string) => s.replace(/\(\)$/, '()');
  const [am, ao = '*'] = norm(a).split(':') as [string, string?];
  const [bm, bo = '*'] = norm(b).split(':') as [string, string?];
  const tail = (m: string, n: string) => m === n || m.endsWith(`.${n}`) || n.endsWith(`.${m}`);
  if (ao === '*' || bo === '*') return tail(am, bm);
  if (tail(am, bm) && ao === bo) return true;
  // celery -A proj.celery_app vs proj:celery_app
  return a.replace(':', '.') === b.replace(':', '.');
}

export function sameLaunch(detected: string[], truth: string[]): boolean {
  const d = launchOf(detected);
  const t = launchOf(truth);
  if (d.dev && !t.dev) return false;
  if (d.launcher !== t.launcher) {
    // A path to the same script written from another directory.
    const ds = d.launcher.replace(/^python /, '');
    const ts = t.launcher.replace(/^python /, '');
    if (
      !(
        d.launcher.startsWith('python ') &&
        t.launcher.startsWith('python ') &&
        (ds.endsWith(ts) || ts.endsWith(ds))
      )
    )
      return false;
  }
  if (d.target === null && t.target === null) return true;
  return sameTarget(d.target, t.target);
}

export interface PlanView {
  appDir: string;
  packageManager: string;
  lockfile: string | null;
  pythonVersion: string;
  framework: string;
  entrypoint: string | null;
  command: string[];
  port: number | null;
  system: { runtime: string[] };
  native: { package: string }[];
  warnings: { code: string; message: string }[];
}

export type Field =
  | 'command'
  | 'framework'
  | 'entrypoint'
  | 'port'
  | 'appDir'
  | 'packageManager'
  | 'lockfile'
  | 'python'
  | 'staleLock';

export const FIELDS: Field[] = [
  'command',
  'framework',
  'entrypoint',
  'port',
  'appDir',
  'packageManager',
  'lockfile',
  'python',
  'staleLock',
];

export interface FieldResult {
  ok: boolean;
  got: string;
  want: string;
}

const normDir = (d: string | null) => (d === null ? null : d.replace(/^\.\/?/, '').replace(/\/$/, '') || '.');
const show = (v: unknown) =>
  v === null || v === undefined ? 'null' : Array.isArray(v) ? v.join(' ') : String(v);

/** The lock as a repo-root path: the plan names it from the root, or from the app dir. */
export function lockFromRoot(plan: PlanView, exists: (rel: string) => boolean): string | null {
  if (!plan.lockfile) return null;
  if (exists(plan.lockfile)) return normDir(plan.lockfile);
  return normDir(plan.appDir === '.' ? plan.lockfile : `${plan.appDir}/${plan.lockfile}`);
}

/** The manager that writes a lock file, from its name. */
export function managerOfLock(lock: string): string | null {
  const base = lock.split('/').pop() ?? lock;
  return (
    (
      { 'uv.lock': 'uv', 'poetry.lock': 'poetry', 'pdm.lock': 'pdm', 'Pipfile.lock': 'pipenv' } as Record<
        string,
        string
      >
    )[base] ?? null
  );
}

export function scoreEntry(
  entry: CorpusEntry,
  plan: PlanView,
  exists: (rel: string) => boolean,
): Record<Field, FieldResult> {
  const t: Truth = entry.truth;
  const accept = [t.command, ...(t.alsoAccept ?? [])];
  const minor = plan.pythonVersion.split('.').slice(0, 2).join('.');
  const stale = plan.warnings.filter((w) => w.code === 'stale-lock');
  const samePm = (a: string, b: string) =>
    a === b || (['pip', 'pip-tools'].includes(a) && ['pip', 'pip-tools'].includes(b));
  const entry_ = (a: string | null, b: string | null) =>
    a === b || (a !== null && b !== null && sameTarget(a.includes(':') ? a : `${a}:*`, b));
  const lock = lockFromRoot(plan, exists);
  return {
    command: {
      ok: accept.some((c) => sameLaunch(plan.command, c)) && plan.port === t.port,
      got: `${show(plan.command)} (port ${show(plan.port)})`,
      want: `${show(t.command)} (port ${show(t.port)})`,
    },
    framework: { ok: plan.framework === t.framework, got: plan.framework, want: t.framework },
    entrypoint: {
      ok: entry_(plan.entrypoint, t.entrypoint),
      got: show(plan.entrypoint),
      want: show(t.entrypoint),
    },
    port: { ok: plan.port === t.port, got: show(plan.port), want: show(t.port) },
    appDir: { ok: normDir(plan.appDir) === normDir(t.appDir), got: plan.appDir, want: t.appDir },
    packageManager: {
      ok: samePm(plan.packageManager, t.packageManager),
      got: plan.packageManager,
      want: t.packageManager,
    },
    lockfile: { ok: lock === normDir(t.lockfile), got: show(lock), want: show(t.lockfile) },
    python: { ok: t.pythonAdmissible.includes(minor), got: minor, want: t.pythonAdmissible.join('|') },
    staleLock: {
      ok: t.staleLock ? stale.length > 0 : stale.length === 0,
      got: stale.length ? stale.map((w) => w.message).join('; ') : 'none',
      want: t.staleLock ? 'stale' : 'none',
    },
  };
}

/** Recall and precision of the runtime apt packages (informational: the closed-loop issue owns them). */
export function aptOverlap(plan: PlanView, t: Truth): { hit: number; extra: number; missed: number } {
  const got = new Set(plan.system.runtime);
  const want = new Set(t.runtimeApt);
  let hit = 0;
  for (const p of want) if (got.has(p)) hit++;
  return { hit, extra: got.size - hit, missed: want.size - hit };
}
