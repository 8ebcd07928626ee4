/**
 * Is the start command one that can work in the image? A command that names a server the plan does
 * not install, a module that is not in the app, a development server or a loopback bind builds fine
 * and then fails (or serves nobody) at run time: `init` refuses to write it unless the user chose
 * the command, and `detect` lists it. The checks read the plan and the app's files only.
 */

import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Plan, WarningCode } from '../plan.js';
import { loadData } from '../util/data.js';

const Programs = z.object({
  programs: z.record(
    z.string(),
    z.object({
      packages: z.array(z.string()).min(1),
      extraOf: z.record(z.string(), z.array(z.string())).optional(),
      add: z.string().optional(),
      pkgResourcesBelow: z.number().int().optional(),
    }),
  ),
  modules: z.record(z.string(), z.string()),
  devServers: z.array(
    z.object({ argv: z.array(z.string()).optional(), flag: z.string().optional(), why: z.string() }),
  ),
  hostFlags: z.array(z.string()),
});
export type LaunchPrograms = z.infer<typeof Programs>;

export function launchPrograms(): LaunchPrograms {
  return loadData('launch-programs.json', Programs);
}

export type CommandProblemCode = Extract<WarningCode, `command-${string}`>;

export interface CommandProblem {
  code: CommandProblemCode;
  message: string;
  /** command-server-missing: the program the command starts (`gunicorn`, or `uvicorn` for `python -m uvicorn`). */
  program?: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)(:\d+)?$/;
const TARGET = /^([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)(?::([A-Za-z_][\w.]*)(\(.*\))?)?$/;
// Servers whose first bare word is the import target (`gunicorn pkg.wsgi:app`).
const TARGET_SERVERS = new Set(['gunicorn', 'uvicorn', 'hypercorn', 'daphne', 'granian', 'waitress-serve']);
// Their options that take a value, so the value is not mistaken for the target.
const VALUE_OPTIONS = new Set([
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
  '--log-level',
  '--log-config',
  '--chdir',
  '--pythonpath',
  '--threads',
  '--host',
  '--port',
  '-p',
  '--app-dir',
  '--root-path',
  '--interface',
  '--env-file',
  '--access-logfile',
  '--error-logfile',
  '--graceful-timeout',
  '--keep-alive',
  '--max-requests',
  '--max-requests-jitter',
  '--worker-tmp-dir',
  '--forwarded-allow-ips',
  '--timeout-keep-alive',
  '--loop',
  '--http',
  '--ws',
  '--listen',
  '-e',
  '--env',
  '--name',
  '-u',
  '--user',
  '-g',
  '--group',
  '--backlog',
  '--certfile',
  '--keyfile',
  '--uds',
  '--fd',
  '--workers-kill-timeout',
  '--blocking-threads',
  '--runtime-threads',
]);

const normalize = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');

function installed(plan: Plan): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const d of plan.dependencies) {
    if (d.group === 'dev') continue;
    m.set(normalize(d.name), d.extras ?? []);
  }
  return m;
}

function optionValue(args: string[], names: string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    for (const n of names) {
      if (a === n) return args[i + 1] ?? null;
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
  }
  return null;
}

function firstBareWord(args: string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith('-')) {
      if (!a.includes('=') && VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    return a;
  }
  return null;
}

/** Where a module may be found from: the app dir, the dir a server is told to import from, src/. */
function importRoots(plan: Plan, args: string[]): string[] {
  const app = path.join(plan.root, plan.appDir);
  const roots = [app, path.join(app, 'src')];
  for (const flag of ['--chdir', '--app-dir', '--pythonpath', '--workdir']) {
    const v = optionValue(args, [flag]);
    if (v) for (const p of v.split(',')) roots.unshift(path.resolve(app, p));
  }
  return roots;
}

function moduleExists(roots: string[], mod: string): boolean {
  const parts = mod.split('.');
  for (const r of roots) {
    const p = path.join(r, ...parts);
    if (
      existsSync(`${p}.py`) ||
      existsSync(path.join(p, '__init__.py')) ||
      existsSync(path.join(p, '__main__.py'))
    )
      return true;
    // A namespace package: a directory without __init__.py still imports.
    if (parts.length > 1 && existsSync(path.join(r, ...parts.slice(0, -1))) && existsSync(`${p}.py`))
      return true;
  }
  return false;
}

/** What the command checks consult: the table, what the plan installs, the project's scripts. */
interface CheckContext {
  plan: Plan;
  data: LaunchPrograms;
  have: ReturnType<typeof installed>;
  scripts: Record<string, string>;
}

/** A module of a dependency, or of the project itself when it is installed into the venv. */
function external({ plan, have }: CheckContext, mod: string): boolean {
  const top = normalize(mod.split('.')[0] ?? '');
  return have.has(top) || (plan.installProject && !!plan.projectName && normalize(plan.projectName) === top);
}

/** Whether the plan installs a package that provides `program` (unknown programs are not judged). */
function provides({ data, have }: CheckContext, program: string): boolean {
  const spec = data.programs[program];
  if (!spec) return true;
  if (spec.packages.some((p) => have.has(normalize(p)))) return true;
  for (const [dist, extras] of Object.entries(spec.extraOf ?? {})) {
    if (have.get(normalize(dist))?.some((e) => extras.includes(e))) return true;
  }
  return false;
}

/**
 * The program the command starts and its arguments: `python -m MOD` starts MOD's program; `python
 * script.py` starts none. A module or script that is not there is a problem.
 */
function startedProgram(ctx: CheckContext, out: CommandProblem[]): { program: string; args: string[] } {
  const { plan, data } = ctx;
  const argv = plan.command;
  const prog = path.posix.basename(argv[0] as string);
  const args = argv.slice(1);
  if (!/^python(3(\.\d+)?)?$/.test(prog)) return { program: prog, args };
  const m = args.indexOf('-m');
  if (m >= 0 && args[m + 1]) {
    const mod = args[m + 1] as string;
    const program = data.modules[mod] ?? '';
    const rest = args.slice(m + 2);
    if (!program && !moduleExists(importRoots(plan, rest), mod) && !external(ctx, mod)) {
      out.push({
        code: 'command-module-missing',
        message: `the command runs \`python -m ${mod}\`, but no module ${mod} is in ${plan.appDir} and no dependency provides it`,
      });
    }
    return { program, args: rest };
  }
  const script = args.find((a) => !a.startsWith('-'));
  if (script && !path.isAbsolute(script) && !existsSync(path.join(plan.root, plan.appDir, script))) {
    out.push({
      code: 'command-module-missing',
      message: `the command runs \`python ${script}\`, but ${path.posix.join(plan.appDir, script)} does not exist`,
    });
  }
  return { program: '', args };
}

/** Development servers and loopback binds anywhere in the argv. */
function devServerAndLoopback({ plan, data }: CheckContext, out: CommandProblem[]): void {
  const argv = plan.command;
  for (const dev of data.devServers) {
    const hit = dev.flag
      ? argv.includes(dev.flag)
      : dev.argv &&
        argv.some((a, i) => path.posix.basename(a) === dev.argv?.[0] && argv[i + 1] === dev.argv?.[1]);
    if (hit)
      out.push({ code: 'command-dev-server', message: `the command runs a development server: ${dev.why}` });
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = a.indexOf('=');
    const [flag, value] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, argv[i + 1]];
    if (data.hostFlags.includes(flag) && value && LOOPBACK.test(value)) {
      out.push({
        code: 'command-loopback',
        message: `the command binds ${value}: inside a container that is unreachable from outside; bind 0.0.0.0`,
      });
    }
  }
}

/**
 * The problems of `plan.command`. `scripts` are the project's own console scripts: a command that
 * names one is the project's launcher and is installed with the project.
 */
export function checkCommand(plan: Plan, scripts: Record<string, string> = {}): CommandProblem[] {
  const out: CommandProblem[] = [];
  if (!plan.command.length) return out;
  const ctx: CheckContext = { plan, data: launchPrograms(), have: installed(plan), scripts };
  const { program, args } = startedProgram(ctx, out);
  const added = (plan.addedPackages ?? []).some((a) => ctx.data.programs[program]?.packages.includes(a.name));
  if (program && !scripts[program] && !provides(ctx, program) && !added) {
    const pkgs = ctx.data.programs[program]?.packages.join(' or ');
    out.push({
      code: 'command-server-missing',
      message: `the command starts \`${program}\`, but the plan installs no ${pkgs}: add it to the project's dependencies or pass --command`,
      program,
    });
  }
  devServerAndLoopback(ctx, out);
  if (TARGET_SERVERS.has(program)) {
    const word = firstBareWord(args);
    const mod = (word ? TARGET.exec(word) : null)?.[1];
    if (mod && !moduleExists(importRoots(plan, args), mod) && !external(ctx, mod)) {
      out.push({
        code: 'command-module-missing',
        message: `the command serves ${word}, but no module ${mod} is in ${plan.appDir} (nor in src/ or the directory the server is told to import from)`,
      });
    }
  }
  return out;
}

/**
 * The server pycontain adds to the venv when the command it chose starts its own framework default
 * (gunicorn, uvicorn) and the project does not depend on it: the image must be able to start, and
 * a project that runs under a server its deployment installs (the maintainers' Dockerfile did
 * `pip install gunicorn`) has no other way to say so.
 */
export function serverToAdd(
  problems: CommandProblem[],
): { name: string; spec: string; program: string; pkgResourcesBelow?: number } | null {
  const program = problems.find((p) => p.code === 'command-server-missing')?.program;
  const spec = program ? launchPrograms().programs[program] : undefined;
  if (!program || !spec?.add) return null;
  return {
    name: spec.packages[0] as string,
    spec: spec.add,
    program,
    ...(spec.pkgResourcesBelow ? { pkgResourcesBelow: spec.pkgResourcesBelow } : {}),
  };
}
