/** Candidates that are scripts (Streamlit, Gradio) or command-line programs (console scripts, __main__.py). */
import type { FwSpec } from '../framework-data.js';
import type { Candidate } from './candidate.js';
import { type Ctx, depth, nameBonus } from './context.js';
import type { FileFacts } from './facts.js';
import { existsSync, setupCfgScripts, streamlitConfigPort } from './files.js';
import type { PyFile } from './scan.js';

export async function scriptCandidates(ctx: Ctx): Promise<Candidate[]> {
  const { data, files, facts, src, relToRoot, base } = ctx;
  const candidates: Candidate[] = [];
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
        command: ctx.servers.command('streamlit', { file: f.rel, port: String(p) }, '.'),
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
      ...(loopback(ff.gradioLaunch.host)
        ? {
            warning: {
              code: 'loopback-bind',
              message: `launch(server_name="${ff.gradioLaunch.host}") listens on the loopback interface, which a published port cannot reach, and it overrides GRADIO_SERVER_NAME: drop it or pass "0.0.0.0"`,
              source: src(f.rel, ff.gradioLaunch.line),
            },
          }
        : {}),
    });
  }

  // Tornado: the module makes its Application and listens itself (IOLoop), so it is run as a script.
  for (const f of files) {
    const ff = facts.get(f) as FileFacts;
    const app = ff.apps.find((a) => a.framework === 'tornado');
    if (!app || (!ff.mainGuard && ff.listen.length === 0)) continue;
    const spec = data.frameworks.tornado as FwSpec;
    const listen = ff.listen.find((l) => l.port !== null) ?? ff.listen[0];
    const port = listen?.port ?? ff.optionPort?.port ?? spec.port;
    const portLine = listen?.port ? listen.line : ff.optionPort?.line;
    candidates.push({
      framework: 'tornado',
      score: 95 + nameBonus(f.rel) - 2 * depth(f.rel),
      file: f.rel,
      line: app.line,
      describe: `Tornado app \`${app.name}\` in ${relToRoot(f.rel)}, listening itself`,
      module: f.module,
      importRoot: f.importRoot,
      port,
      ...(portLine ? { portSource: src(f.rel, portLine) } : {}),
      health: ctx.healthFor(f, app.name, [f])?.path ?? spec.healthcheckPath,
      build: () => scriptCommand(f),
      ...(f.importRoot !== '.' ? { env: { PYTHONPATH: f.importRoot } } : {}),
      ...(ff.listen.some((l) => loopback(l.host))
        ? {
            warning: {
              code: 'loopback-bind',
              message: `listen(..., address="${ff.listen.find((l) => loopback(l.host))?.host}") listens on the loopback interface, which a published port cannot reach: drop the address or pass "0.0.0.0"`,
              source: src(f.rel, ff.listen.find((l) => loopback(l.host))?.line),
            },
          }
        : {}),
    });
  }
  return candidates;
}

const loopback = (host: string | null | undefined) =>
  !!host && /^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(host);

/** `python path/file.py` for a top-level script, `python -m pkg.mod` for a module in a package. */
export function scriptCommand(f: PyFile): { command: string[]; entrypoint: string; server: string } {
  return f.importRoot === '.' && !f.module.includes('.')
    ? { command: ['python', f.rel], entrypoint: f.rel, server: 'python-script' }
    : { command: ['python', '-m', f.module], entrypoint: f.module, server: 'python-module' };
}

export async function cliCandidates(
  ctx: Ctx,
  opts: { scripts: Record<string, string>; projectName?: string },
): Promise<Candidate[]> {
  const { files, base, warnings } = ctx;
  const candidates: Candidate[] = [];
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
    // Only the app's own top-level packages (at the app directory or src/): a __main__.py deeper
    // down belongs to a subpackage or a vendored library (lib/certifi), not to the program.
    if (!pkg || pkg.includes('.')) continue;
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
  return candidates;
}
