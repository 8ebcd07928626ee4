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
import path from 'node:path';
import type { Decision, Dependency, DjangoInfo, Framework, Source, Warning } from '../plan.js';
import type { Candidate } from './framework/candidate.js';
import { detectDjango } from './framework/django.js';
import { type AppObject, analyze, type FileFacts } from './framework/facts.js';
import { existsSync, readIfExists, setupCfgScripts, streamlitConfigPort } from './framework/files.js';
import { parseProcfile, repairProcfile } from './framework/procfile.js';
import { type PyFile, scanFiles } from './framework/scan.js';
import { depNames, fill } from './framework/servers.js';
import { type FwSpec, frameworksData } from './framework-data.js';

export { staticRootValue } from './framework/django.js';
export { setupCfgScripts } from './framework/files.js';
export { parseProcfile, shellSplit } from './framework/procfile.js';
export {
  FRAMEWORKS_FILE,
  type FrameworksData,
  frameworksData,
  parseFrameworksData,
} from './framework-data.js';

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

  if (!best && !web) {
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
