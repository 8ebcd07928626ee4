/** Candidates from application objects: module-level apps, apps made by factories, apps held on instances. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Source } from '../../plan.js';
import type { FwSpec } from '../framework-data.js';
import type { Candidate } from './candidate.js';
import { type Ctx, depth, nameBonus } from './context.js';
import { type AppObject, type FileFacts, MAIN } from './facts.js';
import type { PyFile } from './scan.js';
import { scriptCommand } from './scripts.js';

export function appCandidates(ctx: Ctx): Candidate[] {
  const { data, files, facts, src, relToRoot } = ctx;
  const candidates: Candidate[] = [];
  // Application objects and factories.
  const allFactories = new Map<string, AppObject>();
  for (const f of files)
    for (const fa of (facts.get(f) as FileFacts).factories) allFactories.set(`${f.module}.${fa.name}`, fa);
  // Classes that make an app in a method (self.app = Flask(...)): an instance made at module level holds it.
  const attrApps = new Map<string, FileFacts['attrApps'][number]>();
  for (const f of files)
    for (const a of (facts.get(f) as FileFacts).attrApps) attrApps.set(`${f.module}.${a.cls}`, a);
  const appObjects: AppObject[] = [];
  const usedFactories = new Set<AppObject>();
  for (const f of files) {
    const ff = facts.get(f) as FileFacts;
    // A module-level app that a factory of its module configures and returns is that factory's app:
    // imported alone it lacks the setup.
    appObjects.push(...ff.apps.filter((a) => !ff.factories.some((fa) => fa.configures === a.name)));
    for (const call of ff.factoryCalls) {
      const fa = allFactories.get(call.callee) ?? allFactories.get(ctx.resolve(call.callee));
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
      const held = attrApps.get(call.callee) ?? attrApps.get(ctx.resolve(call.callee));
      if (held) {
        appObjects.push({
          framework: held.framework,
          file: f,
          line: call.line,
          name: `${call.name}.${held.attr}`,
          factory: false,
          via: `${call.callee}().${held.attr}`,
        });
      }
    }
  }
  // A factory the project calls only with arguments needs them, whatever its defaults say.
  for (const f of files) {
    for (const c of (facts.get(f) as FileFacts).argCalls) {
      const fa = allFactories.get(c.callee) ?? allFactories.get(ctx.resolve(c.callee));
      if (fa && !usedFactories.has(fa)) fa.calledWithArgs ??= { rel: f.rel, line: c.line };
    }
  }
  // A factory that a module already calls (wsgi.py: app = create_app()) is the same app, not another one.
  for (const fa of allFactories.values()) if (!usedFactories.has(fa)) appObjects.push(fa);

  const uvicornRuns = files.flatMap((f) =>
    (facts.get(f) as FileFacts).uvicornRun.map((u) => ({ ...u, file: f })),
  );
  for (const app of appObjects) {
    const f = app.file;
    // A module that imports test tooling at module level (a generator that patches sys.argv with
    // unittest.mock to build the app and dump its schema) is not what the image serves.
    if (importsTestTooling(f)) continue;
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
    const health = ctx.healthFor(f, app.factory ? null : app.name, files);
    let score = spec.kind === 'worker' ? 60 : 100;
    score += nameBonus(f.rel) - 2 * depth(f.rel) + (app.factory ? 0 : 3);
    const what = app.factory
      ? `${app.framework} app factory ${app.name}() in ${relToRoot(f.rel)}`
      : `${app.framework} app \`${app.name}\`${app.via ? ` = ${app.via}` : ''} in ${relToRoot(f.rel)}`;
    let extraWarning: Candidate['warning'] | null = null;
    const needs = { attribute: app.name.includes('.'), factory: app.factory };
    const chosen = spec.kind === 'asgi' || spec.kind === 'wsgi' ? ctx.servers.pick(spec, needs) : null;
    const holder = app.name.slice(0, app.name.indexOf('.'));
    const attr = app.name.slice(app.name.lastIndexOf('.') + 1);
    const attributeWarning =
      chosen && needs.attribute && !data.servers[chosen]?.attributes
        ? {
            code: 'attribute-app' as const,
            message: `the app is an attribute of ${holder} and ${data.servers[chosen]?.package ?? chosen} imports only a module-level name: add \`${attr} = ${app.name}\` to ${relToRoot(f.rel)} (or depend on uvicorn, hypercorn or waitress)`,
            source: src(f.rel, app.line),
          }
        : null;
    let needsArgs =
      app.factory && ((app.factoryRequired ?? 0) > 0 || !!app.calledWithArgs) && spec.kind !== 'aiohttp';
    // Pyramid's main(global_config, **settings) is a PasteDeploy factory: gunicorn --paste calls it.
    const paste =
      needsArgs && app.framework === 'pyramid' && ctx.servers.installed('gunicorn')
        ? pasteIni(ctx.base)
        : null;
    if (paste) {
      needsArgs = false;
      if (paste.port && !portSource) {
        port = paste.port;
        portSource = src(paste.file, paste.line);
      }
    }
    const setup = app.factory || app.via ? null : configuredAtRun(ff, app.name);
    const selfServed = setup?.serve ?? null;
    if (setup && !selfServed && !attributeWarning && !needsArgs)
      extraWarning = {
        code: 'app-configured-in-main',
        message: `${setup.fn === MAIN ? 'the __main__ block' : `${setup.fn}()`} configures \`${app.name}\` (${app.name}.${setup.method}() at ${relToRoot(f.rel)}:${setup.line}) before running the development server; a server importing ${target} never runs it. Move that setup to module level or into a create_app() factory`,
        source: src(f.rel, setup.line),
      };
    const cand: Candidate = {
      ...(extraWarning ? { warning: extraWarning } : {}),
      ...(selfServed
        ? {
            reason: `the app is configured in ${setup?.fn === MAIN ? 'the __main__ block' : `${setup?.fn}()`}, which then serves it with ${selfServed.call} (${relToRoot(f.rel)}:${selfServed.line}): the module is the server`,
          }
        : {}),
      ...(attributeWarning ? { warning: attributeWarning } : {}),
      ...(needsArgs
        ? {
            unservable: true,
            warning: {
              code: 'factory-args',
              message:
                (app.factoryRequired ?? 0) > 0
                  ? `the app factory ${app.name}() takes ${app.factoryRequired} argument(s) without defaults; the server calls it with none. Give them defaults or set [tool.pycontain] command`
                  : `the app factory ${app.name}() is called with arguments (${relToRoot(app.calledWithArgs?.rel ?? f.rel)}:${app.calledWithArgs?.line}); the server calls it with none. Set [tool.pycontain] command`,
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
            command: ctx.servers.command('celery-worker', { target: t }, f.importRoot),
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
          const server = ctx.servers.pick(spec);
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
            command: ctx.servers.command(server, { target: t, port: String(p) }, f.importRoot),
            entrypoint: target,
            server,
          };
        }
        if (selfServed) return scriptCommand(f);
        if (paste)
          return {
            command: ['gunicorn', '--paste', paste.file, '--bind', `0.0.0.0:${p}`],
            entrypoint: target,
            server: 'gunicorn',
          };
        const server = chosen ?? ctx.servers.pick(spec, needs);
        const s = data.servers[server];
        const t = app.factory && s?.factoryCall ? `${target}()` : target;
        return {
          command: ctx.servers.command(server, { target: t, port: String(p) }, f.importRoot, app.factory),
          entrypoint: t,
          server,
        };
      },
    };
    candidates.push(cand);
  }
  return candidates;
}

/**
 * The PasteDeploy file of a Pyramid project: production.ini first, else the first *.ini with an
 * [app:main] section; its [server:main] port or listen gives the port.
 */
function pasteIni(base: string): { file: string; port: number | null; line?: number } | null {
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => n.endsWith('.ini'));
  } catch {
    return null;
  }
  names.sort((a, b) => Number(b === 'production.ini') - Number(a === 'production.ini') || a.localeCompare(b));
  for (const file of names) {
    let text: string;
    try {
      text = readFileSync(path.join(base, file), 'utf8');
    } catch {
      continue;
    }
    const lines = text.split(/\r?\n/);
    if (!lines.some((l) => /^\[app:main\]\s*$/.test(l.trim()))) continue;
    let section = '';
    for (let i = 0; i < lines.length; i++) {
      const l = (lines[i] as string).trim();
      const sec = /^\[([^\]]+)\]$/.exec(l);
      if (sec) section = sec[1] as string;
      const m = section === 'server:main' ? /^(?:port\s*=\s*(\d+)|listen\s*=\s*\S*:(\d+))/.exec(l) : null;
      if (m) return { file, port: Number(m[1] ?? m[2]), line: i + 1 };
    }
    return { file, port: null };
  }
  return null;
}

/** Methods that only use an app, not configure it. */
const USE_ONLY = new Set(['run', 'listen', 'test_client', 'app_context', 'get', 'logger']);

/**
 * Setup of a module-level app that happens only when the module runs as a program: method calls on
 * it in the __main__ block or in a function that block calls, and the production server call that
 * follows there, if any.
 */
function configuredAtRun(
  ff: FileFacts,
  name: string,
): { fn: string; method: string; line: number; serve: { call: string; line: number } | null } | null {
  for (const fn of [MAIN, ...ff.mainCalls]) {
    const c = (ff.fnCalls.get(fn) ?? []).find((x) => x.obj === name && !USE_ONLY.has(x.method));
    if (c) {
      const serve = ff.serveCalls.get(fn) ?? ff.serveCalls.get(MAIN) ?? null;
      return { fn, method: c.method, line: c.line, serve };
    }
  }
  return null;
}

const TEST_TOOLING = /^(unittest\.mock|mock|pytest)(\.|$)/;

function importsTestTooling(f: PyFile): boolean {
  return f.statements.some(
    (st) =>
      st.indent === 0 &&
      (st.tokens[0]?.value === 'import' || st.tokens[0]?.value === 'from') &&
      TEST_TOOLING.test(
        st.tokens
          .slice(1)
          .map((t) => t.value)
          .join('')
          .replace(/import.*$/, ''),
      ),
  );
}
