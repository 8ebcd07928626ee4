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
import { appCandidates } from './framework/apps.js';
import type { Candidate } from './framework/candidate.js';
import { aliasResolver, analyzeAll } from './framework/classes.js';
import type { Ctx } from './framework/context.js';
import { djangoCandidate } from './framework/django-candidate.js';
import { readIfExists } from './framework/files.js';
import { healthFinder } from './framework/health.js';
import { parseProcfile, repairProcfile } from './framework/procfile.js';
import { programScript, sourceWrapper } from './framework/programs.js';
import { scanFiles } from './framework/scan.js';
import { cliCandidates, scriptCandidates } from './framework/scripts.js';
import { depNames, servers } from './framework/servers.js';
import { findUwsgiIni } from './framework/uwsgi.js';
import { frameworksData } from './framework-data.js';
import { droppedDecisions, findLaunchers, useLauncher } from './launcher.js';

export { staticRootValue } from './framework/django.js';
export { setupCfgScripts } from './framework/files.js';
export { type ProcfileLine, parseProcfile, repairProcfile, shellSplit } from './framework/procfile.js';
export { type PyFile, qualified, scanFiles } from './framework/scan.js';
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
  /** False when the image does not install the project: its console scripts are then not on PATH. */
  projectInstalled?: boolean;
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
  const facts = analyzeAll(files);
  const ctx: Ctx = {
    data,
    base,
    files,
    facts,
    have,
    src,
    relToRoot,
    servers: servers(data, have),
    healthFor: healthFinder(files, facts, data.healthPaths, src),
    resolve: aliasResolver(files),
    decisions,
    warnings,
  };
  const candidates: Candidate[] = [];
  const django = await djangoCandidate(ctx);
  if (django) candidates.push(django);
  candidates.push(
    ...appCandidates(ctx),
    ...(await scriptCandidates(ctx)),
    ...(await cliCandidates(ctx, opts)),
  );

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

  const launch = await findLaunchers({
    base,
    files,
    scripts: opts.scripts,
    installed: have,
    display: relToRoot,
    ...(opts.projectName ? { projectName: opts.projectName } : {}),
  });
  // A command-line program whose package also holds a GUI or an API it can start (aider's
  // Streamlit GUI, a daemon's web UI): the program's console script is what runs, not that part.
  const program =
    launch.candidates.length === 0 && !web ? programPackage(opts.scripts, opts.projectName) : null;
  let programServes = false;
  if (program) {
    // The module the console script runs is the app's own runner (searx.webapp:run), not a program.
    for (const c of candidates.filter((x) => partOfProgram(x, program.pkg) && x.module !== program.module)) {
      if (c.framework !== 'streamlit' && c.framework !== 'gradio') programServes = true;
      candidates.splice(candidates.indexOf(c), 1);
      decisions.push({
        topic: 'framework',
        value: `not ${c.describe}`,
        reason: `it is part of package ${program.pkg}, whose console script ${program.name} is the program; ${program.name} starts it when asked`,
        source: src(c.file, c.line || undefined),
      });
    }
  }

  candidates.sort((a, b) => b.score - a.score || a.file.localeCompare(b.file));
  const http = candidates.filter((c) => !['celery', 'cli'].includes(c.framework));
  const best: Candidate | undefined = startedByProgram(http[0], candidates) ?? http[0] ?? candidates[0];

  let command: string[] = [];
  let entrypoint: string | null = null;
  let port: number | null = null;
  let framework: Framework = 'unknown';
  let health: string | null = null;
  let env: Record<string, string> = {};
  let importRoot = '.';
  const importChecks: string[] = [];
  let portDecision: { reason: string; source?: Source } | null = null;
  let commandWhy: { reason: string; source: Source } | null = null;

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
    const ini =
      data.frameworks[framework]?.kind === 'wsgi' && have.size > 0 && ctx.servers.installed('uwsgi')
        ? findUwsgiIni(base)
        : null;
    if (ini) {
      command = ['uwsgi', '--ini', ini.file];
      built.server = 'uwsgi';
      const loop = ini.http && /^(127\.|localhost$)/.test(ini.http.host);
      if (ini.http && !loop) {
        if (ini.http.port !== null && opts.overrides?.port === undefined) port = ini.http.port;
        // http-socket = :$(PORT): uWSGI reads the port from the environment, which the image sets.
        if (ini.http.env) env[ini.http.env] = String(port ?? 8000);
        port ??= 8000;
        portDecision = {
          reason: ini.http.env
            ? `${ini.file} serves HTTP on $(${ini.http.env}), which the image sets to ${port}`
            : `the port ${ini.file} serves HTTP on (${ini.http.key})`,
          source: src(ini.file, ini.http.line),
        };
      } else command.push('--http', `0.0.0.0:${port ?? 8000}`);
      if (loop && ini.http)
        warnings.push({
          code: 'loopback-bind',
          message: `${ini.file} serves HTTP on ${ini.http.host}:${ini.http.port}, which a published port cannot reach; the image adds --http 0.0.0.0:${port ?? 8000}`,
          source: src(ini.file, ini.http.line),
        });
      if (ini.chdir)
        warnings.push({
          code: 'uwsgi-chdir',
          message: `${ini.file} changes to ${ini.chdir.path}, a directory of another image; in this one the app is in the working directory: drop chdir or make it match`,
          source: src(ini.file, ini.chdir.line),
        });
      commandWhy = {
        reason:
          ini.http && !loop
            ? `uwsgi is a dependency and ${ini.file} configures it`
            : `uwsgi is a dependency and ${ini.file} configures it; --http makes it answer HTTP on 0.0.0.0 itself`,
        source: src(ini.file),
      };
    }
    // Server presence.
    const server = built.server ? data.servers[built.server] : undefined;
    const missing = [server?.package, ...(server?.requires ?? [])].filter(
      (p): p is string => !!p && !have.has(p),
    );
    const why = built.server ? ctx.servers.why(built.server) : undefined;
    if (why && built.server)
      decisions.push({
        topic: 'server',
        value: built.server,
        reason: why,
        source: src(best.file, best.line || undefined),
      });
    // A server without an import-root flag finds the app through PYTHONPATH.
    if (importRoot !== '.' && server && !server.appDir && server.command.includes('{target}'))
      env.PYTHONPATH ??= importRoot;
    if (missing.length > 0 && deps.length > 0) {
      warnings.push({
        code: 'server-missing',
        message: `${framework} is served with ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not among the dependencies: add ${missing.join(', ')} or the container will not start`,
        source: src(best.file, best.line || undefined),
      });
    }
    const others = candidates.filter(
      (c) => c !== best && !best.absorbs?.includes(c) && c.framework !== 'cli',
    );
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
      reason: commandWhy?.reason ?? best.reason ?? commandReason(best, framework),
      source: commandWhy?.source ?? src(best.file, best.line || undefined),
    });
  }

  // Launcher evidence first (src/project/launcher.ts, found above); the framework defaults are the fallback.
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
  } else if (
    programServes &&
    best?.framework === 'cli' &&
    best.port === null &&
    launch.settingsPort &&
    opts.overrides?.port === undefined
  ) {
    // The program serves an HTTP part of its own package in-process: it listens on the port its
    // settings name.
    port = launch.settingsPort.port;
    portDecision = launch.settingsPort;
  }
  decisions.push(...droppedDecisions(launch));

  // The image does not install the project, so its console scripts do not exist; a top-level script
  // that calls the same function runs the program from the source tree.
  const script = command[0] !== undefined && !web ? opts.scripts[command[0]] : undefined;
  const wrapper =
    script && opts.projectInstalled === false && !opts.overrides?.command
      ? sourceWrapper(files, script, ctx.resolve, opts.projectName)
      : null;
  if (wrapper) {
    const name = command[0];
    command = [...wrapper.command, ...command.slice(1)];
    env = { ...env, ...wrapper.env };
    const old = decisions.findIndex((d) => d.topic === 'command');
    if (old >= 0) decisions.splice(old, 1);
    decisions.push({
      topic: 'command',
      value: command.join(' '),
      reason: `the project is not installed, so console script ${name} does not exist; ${wrapper.file.rel} calls its function ${script?.trim()} under if __name__ == "__main__"`,
      source: src(wrapper.file.rel, wrapper.line),
    });
  }

  if (!best && !web && !launcher) {
    // A plain script as a last resort: a program with a __main__ guard (main.py, bot/bot.py).
    const program = programScript(files, opts.projectName);
    if (program) {
      // A script is run, not imported: there is no module:object to name.
      command = program.command;
      env = { ...env, ...program.env };
      decisions.push({
        topic: 'command',
        value: command.join(' '),
        reason: 'no framework found; this script runs itself under if __name__ == "__main__"',
        source: src(program.file.rel, program.line),
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

/**
 * An app no server can import on its own (a factory that needs arguments, e.g. a dependency
 * container) is started by the program the project ships (__main__.py or a console script), when it
 * has one: the framework stays the app's, the command is the program's.
 */
function startedByProgram(app: Candidate | undefined, all: Candidate[]): Candidate | null {
  if (!app?.unservable) return null;
  const program = all.find((c) => c.framework === 'cli');
  if (!program) return null;
  return {
    ...program,
    framework: app.framework,
    port: app.port,
    health: app.health,
    ...(app.healthSource ? { healthSource: app.healthSource } : {}),
    describe: `${app.describe}, started by the ${program.describe}`,
    absorbs: [app, program],
    reason: `no server can call ${app.describe.replace(/ in .*$/, '')} without its arguments; the project's own program builds and serves it`,
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
  if (framework === 'tornado')
    return 'the module starts its own Tornado server; listen() without an address binds every interface';
  if (framework === 'streamlit') return 'streamlit run, listening on 0.0.0.0';
  if (framework === 'gradio')
    return 'the script launches Gradio; GRADIO_SERVER_NAME makes it listen on 0.0.0.0';
  return 'the program the project declares';
}

/** The console script named like the project (or the only one), and the top-level package it runs. */
function programPackage(
  scripts: Record<string, string>,
  projectName: string | undefined,
): { name: string; module: string; pkg: string } | null {
  const norm = (x: string) => x.toLowerCase().replace(/[-_.]+/g, '-');
  const names = Object.keys(scripts);
  const name =
    names.find((n) => projectName !== undefined && norm(n) === norm(projectName)) ??
    (names.length === 1 ? names[0] : undefined);
  const module = name ? scripts[name]?.split(':')[0]?.trim() : undefined;
  const pkg = module?.split('.')[0];
  return name && module && pkg ? { name, module, pkg } : null;
}

/**
 * A GUI script inside the program's package, or an HTTP app in it that is two packages down
 * (pkg.api.app) or not in a module named to be served (pkg/webserver.py; not the package itself, pkg/app.py, wsgi.py).
 */
function partOfProgram(c: Candidate, pkg: string): boolean {
  // An app only the program can build (a factory needing its arguments) is the program's app.
  if (['cli', 'django', 'celery'].includes(c.framework) || c.unservable) return false;
  const rel = c.file.replace(/^src\//, '');
  if (!rel.startsWith(`${pkg}/`) || /(^|\/)(wsgi|asgi)\.py$/.test(rel)) return false;
  if (c.framework === 'streamlit' || c.framework === 'gradio') return true;
  return rel.split('/').length >= 3 || !/\/(__init__|main|app|server|api|web|application)\.py$/.test(rel);
}
