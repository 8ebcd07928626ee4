/**
 * Plan -> Dockerfile.
 *
 * Shape of every generated file (the comments in the output say why, this says what):
 *   builder stage  : the base with the interpreter, compilers/-dev headers only when something builds
 *                    from source, the package manager in its own venv (/opt/tools), the app's venv
 *                    (/opt/venv, same path in both stages so shebangs and pyvenv.cfg stay valid),
 *                    dependencies installed from the lock in a layer of their own (only the manifests
 *                    copied first), then the code, then the project itself (non-editable), Django's
 *                    collectstatic, and bytecode compiled so the runtime never writes.
 *   runtime stage  : the runtime base, runtime shared libraries only, a fixed numeric non-root user,
 *                    the venv and the app copied from the builder, exec-form CMD, EXPOSE and a
 *                    stdlib-only HEALTHCHECK for HTTP apps. Distroless runtimes get no RUN at all.
 */
import path from 'node:path';
import { planLabels } from '../labels.js';
import { DEFAULT_TOOL_VERSIONS, InputError, type Plan, type ToolVersions } from '../plan.js';
import { VERSION } from '../version.js';
import {
  type DockerfileModel,
  type Instruction,
  type Mount,
  type Stage,
  shJoin,
  shQuote,
  writeDockerfile,
} from './model.js';
import { DECLARED_DEPS_SCRIPT, PIPFILE_LOCK_SCRIPT, PIPFILE_REQS_SCRIPT } from './scripts.js';
import { annotateWarnings } from './warning-comments.js';

/** Re-exported for callers of the renderer; detect decides the versions (plan.tools). */
export { DEFAULT_TOOL_VERSIONS, type ToolVersions };

/** Presentation choices only: everything the Dockerfile installs or runs is decided in the Plan. */
export interface RenderOptions {
  /**
   * The `# syntax=` directive. Default 'docker/dockerfile:1'. null omits it: for builders that
   * cannot pull the frontend image (air-gapped BuildKit >= 0.12 has every feature used here built in).
   */
  syntax?: string | null;
  /** Version string written in the header comment. */
  generator?: string;
}

export const VENV = '/opt/venv';
export const TOOLS = '/opt/tools';
export const APP = '/app';
export const UV_IMAGE = 'ghcr.io/astral-sh/uv';
const PYPI_SIMPLE = 'https://pypi.org/simple';
const COMPILE_FLAGS = ['-q', '-f', '-j', '0', '--invalidation-mode', 'unchecked-hash'];

const posix = path.posix;

/** Normalized relative path ('' for the top). */
function rel(p: string): string {
  const n = posix
    .normalize(p.replace(/\\/g, '/'))
    .replace(/^\.\/?/, '')
    .replace(/\/$/, '');
  if (n === '.' || n === '') return '';
  if (n.startsWith('..') || posix.isAbsolute(n)) throw new InputError(`path ${p} leaves the build context`);
  return n;
}

function isUnder(file: string, dir: string): boolean {
  return dir === '' || file === dir || file.startsWith(`${dir}/`);
}

function commonDir(a: string, b: string): string {
  const pa = a ? a.split('/') : [];
  const pb = b ? b.split('/') : [];
  const out: string[] = [];
  for (let i = 0; i < Math.min(pa.length, pb.length) && pa[i] === pb[i]; i++) out.push(pa[i] as string);
  return out.join('/');
}

/** Where things live: the directory copied to /app (srcBase) and the app's directory below it. */
export interface Layout {
  /** Context-relative directory whose content becomes /app ('' = the whole context). */
  srcBase: string;
  /** The app's directory inside the image (WORKDIR of the runtime), e.g. '/app' or '/app/packages/api'. */
  workdir: string;
  /** Manifests relative to srcBase, grouped by directory (for COPY). */
  manifestsByDir: Map<string, string[]>;
  /** Manifests relative to srcBase. */
  manifests: string[];
}

export function layoutOf(plan: Plan): Layout {
  const appDir = rel(plan.appDir);
  const manifests = plan.manifests.map(rel);
  let srcBase = appDir;
  for (const m of manifests)
    if (!isUnder(m, srcBase)) srcBase = commonDir(srcBase, posix.dirname(m) === '.' ? '' : posix.dirname(m));
  if (plan.workspace) srcBase = commonDir(srcBase, rel(plan.workspace.root));
  const inBase = (f: string) => (srcBase ? f.slice(srcBase.length + 1) : f);
  const relManifests = manifests.filter((m) => m !== srcBase).map(inBase);
  const byDir = new Map<string, string[]>();
  for (const m of relManifests) {
    const d = posix.dirname(m) === '.' ? '' : posix.dirname(m);
    const list = byDir.get(d) ?? [];
    if (!list.includes(m)) list.push(m);
    byDir.set(d, list);
  }
  const sub = srcBase ? appDir.slice(srcBase.length + 1) : appDir;
  return { srcBase, workdir: sub ? `${APP}/${sub}` : APP, manifestsByDir: byDir, manifests: relManifests };
}

function imageRef(image: string, digest?: string): string {
  if (!digest || image.includes('@')) return image;
  return `${image}@${digest}`;
}

function cacheMount(target: string, locked = false): Mount {
  const options: [string, string][] = [['target', target]];
  if (locked) options.push(['sharing', 'locked']);
  return { type: 'cache', options };
}

function secretMount(plan: Plan): Mount {
  // A netrc file: pip, uv, pdm and poetry (requests/httpx) all read ~/.netrc for index credentials.
  return {
    type: 'secret',
    options: [
      ['id', plan.index.secretId || 'pip-index'],
      ['target', '/root/.netrc'],
      ['required', plan.index.needsCredentials ? 'true' : 'false'],
    ],
  };
}

/** Debian package that provides a working `python3.X -m venv` for Debian's interpreter. */
function debianVenvPackage(pythonPath: string, pythonVersion: string): string {
  const m = /python(\d+\.\d+)$/.exec(pythonPath);
  return `python${m ? m[1] : pythonVersion}-venv`;
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs.filter(Boolean))];
}

function requirementsFileOf(plan: Plan, layout: Layout): string | null {
  const candidates = [
    plan.requirementsFile,
    plan.packageManager === 'pip' || plan.packageManager === 'pip-tools' ? plan.lockfile : null,
  ]
    .filter((x): x is string => typeof x === 'string' && x.length > 0)
    .map(rel);
  const toBase = (f: string) => (layout.srcBase ? f.slice(layout.srcBase.length + 1) : f);
  if (candidates[0]) return toBase(candidates[0]);
  const txt = layout.manifests.filter((m) => /(^|\/)requirements[^/]*\.txt$/.test(m));
  const main =
    txt.find((m) => posix.basename(m) === 'requirements.txt') ??
    txt.find((m) => !/dev|test|lint|doc/.test(posix.basename(m)));
  return main ?? null;
}

function toBase(layout: Layout, f: string): string {
  return layout.srcBase && isUnder(f, layout.srcBase) ? f.slice(layout.srcBase.length + 1) : f;
}

function pipInstall(args: string[]): string {
  return shJoin([`${TOOLS}/bin/pip`, '--python', `${VENV}/bin/python`, 'install', ...args]);
}

function compileVenv(pythonVersionDir = `${VENV}/lib`): string {
  return shJoin([`${VENV}/bin/python`, '-m', 'compileall', ...COMPILE_FLAGS, pythonVersionDir]);
}

interface Ctx {
  plan: Plan;
  layout: Layout;
  tools: ToolVersions;
  /** Interpreter the builder runs (its path ends up in the venv's pyvenv.cfg and symlinks). */
  py: string;
  distroless: boolean;
  mounts: { pip: Mount; secret: Mount };
}

/** `cd` into the app directory when it is below /app (uv workspace members, appDir under srcBase). */
/** uv's own way to run in the app directory (no `cd` in RUN). */
function uvIn(ctx: Ctx): string[] {
  return ctx.layout.workdir === APP ? [] : ['--directory', ctx.layout.workdir];
}

function inWorkdir(ctx: Ctx, cmd: string): string {
  return ctx.layout.workdir === APP ? cmd : `cd ${shQuote(ctx.layout.workdir)} && ${cmd}`;
}

function cdWorkdir(ctx: Ctx): string[] {
  return ctx.layout.workdir === APP ? [] : [`cd ${shQuote(ctx.layout.workdir)}`];
}

function indexArgs(ctx: Ctx): Instruction[] {
  const { plan } = ctx;
  const out: Instruction[] = [];
  const url = plan.index.url;
  const extras = plan.index.extraUrls ?? [];
  if (plan.packageManager === 'uv') {
    out.push({
      kind: 'comment',
      text: 'Package index for uv; override with --build-arg UV_DEFAULT_INDEX=... (ARGs stay in this stage, not in the image).',
    });
    out.push({ kind: 'arg', name: 'UV_DEFAULT_INDEX', value: url ?? PYPI_SIMPLE });
    if (extras.length) out.push({ kind: 'arg', name: 'UV_INDEX', value: extras.join(' ') });
    return out;
  }
  out.push({
    kind: 'comment',
    text: 'Package index; override with --build-arg PIP_INDEX_URL=... (ARGs stay in this stage, not in the image).\nCredentials never go here: pass a netrc file with --secret (see the header).',
  });
  out.push(url ? { kind: 'arg', name: 'PIP_INDEX_URL', value: url } : { kind: 'arg', name: 'PIP_INDEX_URL' });
  if (extras.length) out.push({ kind: 'arg', name: 'PIP_EXTRA_INDEX_URL', value: extras.join(' ') });
  if (plan.packageManager === 'pdm') {
    out.push({ kind: 'arg', name: 'PDM_PYPI_URL', value: `\${PIP_INDEX_URL:-${PYPI_SIMPLE}}`, raw: true });
  }
  if (plan.packageManager === 'poetry') {
    // Poetry ignores PIP_INDEX_URL; when the project names no source of its own, the index given
    // here is added as the primary source (only inside this build).
    const ownSource = plan.index.origin === 'project';
    out.push(
      ownSource
        ? { kind: 'arg', name: 'POETRY_INDEX_URL' }
        : { kind: 'arg', name: 'POETRY_INDEX_URL', value: `\${PIP_INDEX_URL}`, raw: true },
    );
  }
  return out;
}

function aptInstall(pkgs: string[]): string[] {
  return [
    'apt-get update',
    shJoin(['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs]),
    'rm -rf /var/lib/apt/lists/*',
  ];
}

function builderSystemStep(ctx: Ctx): Instruction[] {
  const { plan } = ctx;
  const build = uniq(plan.system.build ?? []).sort();
  const always = uniq(plan.image.builderPackages ?? []);
  const out: Instruction[] = [];
  const needInterpreter = ctx.distroless;
  if (!build.length && !needInterpreter && !always.length) return out;
  const cmds: string[] = [`pkgs=${shQuote([...build, ...always].join(' '))}`];
  const devPkgs = plan.image.pythonDevPackages?.length
    ? plan.image.pythonDevPackages
    : [`python${plan.pythonVersion}-dev`];
  const venvPkg = debianVenvPackage(plan.image.pythonPath, plan.pythonVersion);
  const why: string[] = [];
  if (build.length) {
    const who = plan.native.filter((n) => n.build.length).map((n) => n.package);
    why.push(
      `Compilers and headers for ${who.length ? who.join(', ') : 'packages built from source'}: builder only, they never reach the runtime image.`,
      "Debian's own interpreter ships its C headers separately: add them when Python.h is missing.",
    );
    cmds.push(
      `{ ${shQuote(ctx.py)} -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null || pkgs="$pkgs ${devPkgs.join(' ')}"; }`,
    );
  }
  if (needInterpreter) {
    why.push(
      `The distroless runtime runs Debian's ${plan.image.pythonPath}: the venv must be built by that same interpreter.`,
    );
    if (!always.includes(venvPkg)) {
      cmds.push(
        `{ ${shQuote(plan.image.pythonPath)} -c 'import ensurepip, venv' 2>/dev/null || pkgs="$pkgs ${venvPkg}"; }`,
      );
    }
  }
  if (why.length) out.push({ kind: 'comment', text: why.join('\n') });
  cmds.push(
    'if [ -n "$pkgs" ]; then apt-get update && apt-get install -y --no-install-recommends $pkgs && rm -rf /var/lib/apt/lists/*; fi',
  );
  out.push({ kind: 'run', commands: cmds });
  return out;
}

function toolsStep(ctx: Ctx): Instruction[] {
  const { plan, tools, py } = ctx;
  const out: Instruction[] = [];
  const pm = plan.packageManager;
  const mounts = [ctx.mounts.pip, ctx.mounts.secret];
  const venvCmd = shJoin([py, '-m', 'venv', '--without-pip', VENV]);
  if (pm === 'uv') return out; // uv is copied from its image and creates the venv itself
  if (pm === 'poetry') {
    out.push({ kind: 'arg', name: 'POETRY_VERSION', value: tools.poetry });
    out.push({
      kind: 'comment',
      text: 'Poetry lives in its own venv: it is needed to read poetry.lock, never shipped.\nThe app venv has no pip/setuptools (--without-pip): nothing installs packages at run time.',
    });
    out.push({
      kind: 'run',
      mounts,
      commands: [
        shJoin([py, '-m', 'venv', TOOLS]),
        `${TOOLS}/bin/pip install "poetry==\${POETRY_VERSION}"`,
        venvCmd,
      ],
    });
  } else if (pm === 'pdm') {
    out.push({ kind: 'arg', name: 'PDM_VERSION', value: tools.pdm });
    out.push({
      kind: 'comment',
      text: 'PDM lives in its own venv: it is needed to read pdm.lock, never shipped.\nThe app venv has no pip/setuptools (--without-pip): nothing installs packages at run time.',
    });
    out.push({
      kind: 'run',
      mounts,
      commands: [
        shJoin([py, '-m', 'venv', TOOLS]),
        `${TOOLS}/bin/pip install "pdm==\${PDM_VERSION}"`,
        venvCmd,
      ],
    });
  } else {
    out.push({
      kind: 'comment',
      text: `pip runs from its own venv and installs into the app venv (pip --python), so the runtime venv has no\npip/setuptools${pm === 'pipenv' && plan.lockfile ? '. pipenv itself is not needed: Pipfile.lock pins every package with its hashes' : ''}.`,
    });
    out.push({ kind: 'run', commands: [shJoin([py, '-m', 'venv', TOOLS]), venvCmd] });
  }
  return out;
}

function copyManifests(ctx: Ctx): Instruction[] {
  const out: Instruction[] = [];
  const { layout } = ctx;
  if (!layout.manifests.length) return out;
  out.push({
    kind: 'comment',
    text: 'Only the dependency manifests first: this layer and the install below stay cached until they change.',
  });
  const dirs = [...layout.manifestsByDir.keys()].sort();
  for (const d of dirs) {
    const files = (layout.manifestsByDir.get(d) ?? []).map((f) =>
      layout.srcBase ? `${layout.srcBase}/${f}` : f,
    );
    out.push({ kind: 'copy', sources: files, dest: d ? `${d}/` : './' });
  }
  return out;
}

function depsStep(ctx: Ctx): Instruction[] {
  return withPackageTestsRemoved(ctx, withAddedPackages(ctx, withPkgResources(ctx, depsStepInner(ctx))));
}

/**
 * The server detect added (plan.addedPackages), installed into the venv in the dependency RUN
 * before its bytecode compile. A release older than `pkgResourcesBelow` (gunicorn 20 on an old
 * index) imports pkg_resources, so setuptools<81 follows it only then.
 */
function withAddedPackages(ctx: Ctx, out: Instruction[]): Instruction[] {
  const added = ctx.plan.addedPackages ?? [];
  const run = [...out].reverse().find((i): i is Extract<Instruction, { kind: 'run' }> => i.kind === 'run');
  if (!added.length || !run) return out;
  const install = (reqs: string[]) =>
    ctx.plan.packageManager === 'uv'
      ? shJoin([`${TOOLS}/bin/uv`, 'pip', 'install', '--python', `${VENV}/bin/python`, ...reqs])
      : pipInstall(['--no-compile', ...reqs]);
  const cmds = [install(added.map((a) => a.spec))];
  for (const a of added) {
    if (!a.pkgResourcesBelow) continue;
    cmds.push(
      `${VENV}/bin/python -c "import sys, importlib.metadata as m; sys.exit(int(m.version('${a.name}').split('.')[0]) < ${a.pkgResourcesBelow})" || ${install(['setuptools<81'])}`,
    );
  }
  const at = run.commands.findIndex((c) => c.includes('compileall'));
  run.commands.splice(at === -1 ? run.commands.length : at, 0, ...cmds);
  out.splice(out.indexOf(run), 0, {
    kind: 'comment',
    text: `${added.map((a) => a.spec).join(', ')}: the server the command starts; the project does not depend on one (detect's \`server\` decision).`,
  });
  return out;
}

/**
 * Deletes the test suites packages ship inside themselves (plan.packageTests), in the dependency
 * RUN before its bytecode compile, so neither the sources nor their bytecode reach the venv. A
 * root that is not installed is skipped: without a lock the table's entries are only likely.
 */
function withPackageTestsRemoved(ctx: Ctx, out: Instruction[]): Instruction[] {
  const entries = ctx.plan.packageTests ?? [];
  const run = [...out].reverse().find((i): i is Extract<Instruction, { kind: 'run' }> => i.kind === 'run');
  if (!entries.length || !run) return out;
  const sp = `${VENV}/lib/python${ctx.plan.pythonVersion}/site-packages`;
  const byDirs = new Map<string, string[]>();
  for (const e of entries) {
    const key = [...e.dirs].sort().join(' ');
    byDirs.set(key, [...(byDirs.get(key) ?? []), ...e.roots]);
  }
  const cmds: string[] = [];
  for (const [dirs, roots] of byDirs) {
    const names = dirs.split(' ');
    const match =
      names.length === 1 ? `-name ${names[0]}` : `( ${names.map((n) => `-name ${n}`).join(' -o ')} )`;
    cmds.push(
      `for p in ${[...new Set(roots)].sort().join(' ')}; do [ ! -d ${sp}/$p ] || find ${sp}/$p -type d ${match} -prune -exec rm -rf {} +; done`,
    );
  }
  const at = run.commands.findIndex((c) => c.includes('compileall'));
  run.commands.splice(at === -1 ? run.commands.length : at, 0, ...cmds);
  out.splice(out.indexOf(run), 0, {
    kind: 'comment',
    text: `The test suites of ${entries.map((e) => e.distribution).join(', ')} ship inside the packages and are never imported: removed\n(keep them with [tool.pycontain] keep-package-tests = true).`,
  });
  return out;
}

function withPkgResources(ctx: Ctx, out: Instruction[]): Instruction[] {
  const who = needsPkgResources(ctx.plan);
  if (!who) return out;
  // Add the setuptools install to the dependency RUN, before its bytecode compile.
  const run = [...out].reverse().find((i): i is Extract<Instruction, { kind: 'run' }> => i.kind === 'run');
  if (run) {
    const at = run.commands.findIndex((c) => c.includes('compileall'));
    run.commands.splice(at === -1 ? run.commands.length : at, 0, ...pkgResourcesStep(ctx));
    const idx = out.indexOf(run);
    out.splice(idx, 0, {
      kind: 'comment',
      text: `${who} imports pkg_resources at run time and the lock has no setuptools: add it (< 81, the last with pkg_resources).`,
    });
  }
  return out;
}

function pipDeps(ctx: Ctx): Instruction[] {
  const { plan, layout } = ctx;
  const pm = plan.packageManager;
  const out: Instruction[] = [];
  const secret = ctx.mounts.secret;
  const req = requirementsFileOf(plan, layout);
  if (!req)
    throw new InputError('no requirements file to install from (pip project without requirements*.txt)');
  const hashes = plan.requirementsHashes ?? false;
  // pip-tools counts as a full lock only once pip-compile wrote its output: requirements.in alone
  // names the top-level packages, and --no-deps would leave their dependencies out.
  const compiled = pm === 'pip-tools' && Boolean(plan.lockfile);
  const fullLock = compiled || hashes || (plan.requirementsFullLock ?? false);
  const args = ['--no-compile'];
  if (hashes) args.push('--require-hashes');
  if (fullLock) args.push('--no-deps');
  args.push('-r', req);
  out.push({
    kind: 'comment',
    text: compiled
      ? `${req} is pip-compile output: every pin, nothing else (pip-sync semantics into a fresh venv).`
      : fullLock
        ? `${req} pins the full dependency tree${hashes ? ' with hashes' : ''}: install exactly that, no resolution.`
        : `${req} is not a full lock: pip resolves what it leaves open. A lock (pip-compile, uv) makes builds repeatable.`,
  });
  const cmds = [pipInstall(args)];
  if (fullLock) cmds.push(shJoin([`${TOOLS}/bin/pip`, '--python', `${VENV}/bin/python`, 'check']));
  cmds.push(compileVenv());
  out.push({ kind: 'run', mounts: [ctx.mounts.pip, secret], commands: cmds });
  return out;
}

function pipenvDeps(ctx: Ctx, extras: string[]): Instruction[] {
  const { plan, layout } = ctx;
  const out: Instruction[] = [];
  const secret = ctx.mounts.secret;
  if (!plan.lockfile) {
    out.push(...pipfileWithoutLock(ctx, extras));
    return out;
  }
  out.push({
    kind: 'copyHeredoc',
    dest: `${TOOLS}/pipfile_lock.py`,
    body: PIPFILE_LOCK_SCRIPT,
    delimiter: 'PY',
  });
  out.push({
    kind: 'comment',
    text: 'Like `pipenv install --deploy`: refuse a Pipfile.lock that no longer matches the Pipfile, then install\nthe [packages] pins with their hashes and nothing else ([dev-packages] never reach the image).',
  });
  const lockfile = toBase(
    layout,
    plan.lockfile ? rel(plan.lockfile) : posix.join(rel(plan.appDir), 'Pipfile.lock'),
  );
  const pipfile = posix.join(posix.dirname(lockfile), 'Pipfile');
  out.push({
    kind: 'run',
    mounts: [ctx.mounts.pip, secret],
    commands: [
      shJoin([
        `${TOOLS}/bin/python`,
        `${TOOLS}/pipfile_lock.py`,
        lockfile,
        pipfile,
        '/tmp/requirements.txt',
        'default',
        ...extras,
      ]),
      pipInstall(['--no-compile', '--require-hashes', '--no-deps', '-r', '/tmp/requirements.txt']),
      shJoin([`${TOOLS}/bin/pip`, '--python', `${VENV}/bin/python`, 'check']),
      'rm /tmp/requirements.txt',
      compileVenv(),
    ],
  });
  return out;
}

function poetryDeps(ctx: Ctx, extras: string[]): Instruction[] {
  const { plan } = ctx;
  const out: Instruction[] = [];
  const secret = ctx.mounts.secret;
  const extraArgs = extras.flatMap((e) => ['--extras', e]);
  out.push({
    kind: 'comment',
    text: plan.lockfile
      ? 'Fail on a poetry.lock that no longer matches pyproject.toml, then install the main group only, from\nthe lock, without the project itself (it comes after the code). VIRTUAL_ENV points Poetry at /opt/venv.\nPOETRY_INDEX_URL (a mirror) is added as the primary source after that check, inside this build only:\nPoetry 1.x then warns that the lock does not match, Poetry 2 refreshes the lock hash keeping its pins.'
      : 'No poetry.lock: Poetry resolves pyproject.toml here, at build time (`poetry lock` and commit the lock to make\nbuilds repeatable). Main group only, without the project itself (it comes after the code). VIRTUAL_ENV\npoints Poetry at /opt/venv; POETRY_INDEX_URL (a mirror) is added as the primary source, inside this build only.',
  });
  const poetry = `${TOOLS}/bin/poetry`;
  out.push({
    kind: 'run',
    mounts: [ctx.mounts.pip, cacheMount('/root/.cache/pypoetry', true), secret],
    commands: [
      ...cdWorkdir(ctx),
      // `check --lock` (Poetry >= 1.6) or `lock --check` (older): whichever this Poetry has must pass.
      // Without a poetry.lock there is nothing to check: `poetry install` resolves and locks first.
      ...(plan.lockfile ? [`{ ${poetry} check --lock 2>/dev/null || ${poetry} lock --check; }`] : []),
      `if [ -n "$POETRY_INDEX_URL" ]; then { ${poetry} source add --priority=primary pycontain-index "$POETRY_INDEX_URL" 2>/dev/null || ${poetry} source add --default pycontain-index "$POETRY_INDEX_URL"; }; case "$(${poetry} --version)" in *'version 1.'*) ;; *) ${poetry} lock ;; esac; fi`,
      `VIRTUAL_ENV=${VENV} ${shJoin([poetry, 'install', '--only', 'main', '--no-root', '--no-interaction', '--no-ansi', ...extraArgs])}`,
      compileVenv(),
    ],
  });
  return out;
}

function pdmDeps(ctx: Ctx, extras: string[]): Instruction[] {
  const { plan } = ctx;
  const out: Instruction[] = [];
  const secret = ctx.mounts.secret;
  const groups = extras.flatMap((e) => ['-G', e]);
  out.push({
    kind: 'comment',
    text: plan.lockfile
      ? '--check fails on a pdm.lock that no longer matches pyproject.toml; --prod leaves the dev groups out;\nthe project itself is installed after the code (non-editable). VIRTUAL_ENV points PDM at /opt/venv.'
      : 'No pdm.lock: PDM resolves pyproject.toml here, at build time (`pdm lock` and commit the lock to make builds\nrepeatable); --prod leaves the dev groups out; the project itself is installed after the code (non-editable).\nVIRTUAL_ENV points PDM at /opt/venv.',
  });
  out.push({
    kind: 'run',
    mounts: [ctx.mounts.pip, cacheMount('/root/.cache/pdm', true), secret],
    commands: [
      ...cdWorkdir(ctx),
      `VIRTUAL_ENV=${VENV} ${shJoin([`${TOOLS}/bin/pdm`, 'install', ...(plan.lockfile ? ['--check'] : []), '--prod', '--no-self', '--no-editable', ...groups])}`,
      'rm -rf .pdm-python .pdm.toml',
      compileVenv(),
    ],
  });
  return out;
}

function uvDeps(ctx: Ctx, extras: string[]): Instruction[] {
  const { plan } = ctx;
  const out: Instruction[] = [];
  const secret = ctx.mounts.secret;
  const extraArgs = extras.flatMap((e) => ['--extra', e]);
  const ws = isWorkspace(plan);
  out.push({
    kind: 'comment',
    text: !plan.lockfile
      ? 'No uv.lock in the project: `uv lock` resolves pyproject.toml here, at build time (commit a uv.lock to make\nbuilds repeatable), and both syncs install exactly that lock. --no-dev leaves the dev group out.'
      : ws
        ? "Workspace: only the members' pyproject.toml files are here, so this first sync is --frozen (as uv's guide\nadvises); the sync after the code copy is --locked and fails on a uv.lock that no longer matches.\n--no-dev leaves the dev group out."
        : '--locked fails on a uv.lock that no longer matches pyproject.toml (--frozen would not check); --no-dev\nleaves the dev group out; the project itself is installed after the code.',
  });
  out.push({
    kind: 'run',
    mounts: [cacheMount('/root/.cache/uv', true), secret],
    commands: [
      // `uv sync --locked` / `--frozen` stop on a missing uv.lock ("Unable to find lockfile").
      ...(plan.lockfile ? [] : [shJoin([`${TOOLS}/bin/uv`, 'lock', ...uvIn(ctx)])]),
      shJoin([
        `${TOOLS}/bin/uv`,
        'sync',
        ...uvIn(ctx),
        ws ? '--frozen' : '--locked',
        '--no-dev',
        ws ? '--no-install-workspace' : '--no-install-project',
        ...extraArgs,
      ]),
    ],
  });
  return out;
}

function setuptoolsDeps(ctx: Ctx, extras: string[]): Instruction[] {
  const out: Instruction[] = [];
  const secret = ctx.mounts.secret;
  out.push({
    kind: 'copyHeredoc',
    dest: `${TOOLS}/declared_deps.py`,
    body: DECLARED_DEPS_SCRIPT,
    delimiter: 'PY',
  });
  out.push({
    kind: 'comment',
    text: 'No lock file: install the dependencies the manifests declare in their own layer, so a code change\ndoes not reinstall them. (A lock - pip-compile, uv, poetry, pdm - would make this repeatable.)',
  });
  out.push({
    kind: 'run',
    mounts: [ctx.mounts.pip, secret],
    commands: [
      inWorkdir(
        ctx,
        shJoin([`${TOOLS}/bin/python`, `${TOOLS}/declared_deps.py`, '/tmp/declared.txt', ...extras]),
      ),
      `if [ -s /tmp/declared.txt ]; then ${pipInstall(['--no-compile', '-r', '/tmp/declared.txt'])}; fi`,
      'rm /tmp/declared.txt',
      compileVenv(),
    ],
  });
  return out;
}

/** The dependency layer, one function per package manager (each installs from its own lock format). */
const DEPS_STEPS: Record<Plan['packageManager'], (ctx: Ctx, extras: string[]) => Instruction[]> = {
  pip: pipDeps,
  'pip-tools': pipDeps,
  pipenv: pipenvDeps,
  poetry: poetryDeps,
  pdm: pdmDeps,
  uv: uvDeps,
  setuptools: setuptoolsDeps,
};

function depsStepInner(ctx: Ctx): Instruction[] {
  return DEPS_STEPS[ctx.plan.packageManager](ctx, uniq(ctx.plan.extras ?? []));
}

/**
 * Packages that import pkg_resources at run time. Their metadata may declare setuptools, but locks
 * often lack it (pip-compile leaves setuptools out unless --allow-unsafe; repackaged wheels drop
 * the requirement), and setuptools >= 81 no longer ships pkg_resources. The venv is created without
 * setuptools, so it is added, pinned below 81, only when such a package is installed without it.
 */
const NEEDS_PKG_RESOURCES: { name: string; below: number }[] = [{ name: 'gunicorn', below: 22 }];

export function needsPkgResources(plan: Plan): string | null {
  const deps = plan.dependencies ?? [];
  if (deps.some((d) => d.name === 'setuptools' && !d.group)) return null;
  for (const rule of NEEDS_PKG_RESOURCES) {
    const dep = deps.find((d) => d.name === rule.name && !d.group);
    const major = dep?.version ? Number.parseInt(dep.version, 10) : Number.NaN;
    if (dep && Number.isFinite(major) && major < rule.below) return `${rule.name} ${dep.version}`;
  }
  return null;
}

function pkgResourcesStep(ctx: Ctx): string[] {
  const who = needsPkgResources(ctx.plan);
  if (!who) return [];
  if (ctx.plan.packageManager === 'uv') {
    return [shJoin([`${TOOLS}/bin/uv`, 'pip', 'install', '--python', `${VENV}/bin/python`, 'setuptools<81'])];
  }
  return [pipInstall(['--no-compile', 'setuptools<81'])];
}

/**
 * A Pipfile without Pipfile.lock: nothing pins the tree, so pip resolves the Pipfile's [packages]
 * (and requested categories), converted to requirement lines; `pipenv install --deploy` semantics
 * (hashes, lock check) need the lock and are not claimed.
 */
function pipfileWithoutLock(ctx: Ctx, extras: string[]): Instruction[] {
  const { plan, layout } = ctx;
  const pipfile = toBase(layout, posix.join(rel(plan.appDir), 'Pipfile'));
  return [
    { kind: 'copyHeredoc', dest: `${TOOLS}/pipfile_reqs.py`, body: PIPFILE_REQS_SCRIPT, delimiter: 'PY' },
    {
      kind: 'comment',
      text: 'No Pipfile.lock: the [packages] of the Pipfile are resolved by pip here, at build time (`pipenv lock` and\ncommit the lock to make builds repeatable); [dev-packages] never reach the image.',
    },
    {
      kind: 'run',
      mounts: [ctx.mounts.pip, ctx.mounts.secret],
      commands: [
        `${TOOLS}/bin/python -c 'import tomllib' 2>/dev/null || ${TOOLS}/bin/pip install --no-compile tomli`,
        shJoin([
          `${TOOLS}/bin/python`,
          `${TOOLS}/pipfile_reqs.py`,
          pipfile,
          '/tmp/requirements.txt',
          'packages',
          ...extras,
        ]),
        pipInstall(['--no-compile', '-r', '/tmp/requirements.txt']),
        'rm /tmp/requirements.txt',
        compileVenv(),
      ],
    },
  ];
}

function isWorkspace(plan: Plan): boolean {
  return Boolean(plan.workspace && plan.workspace.members.length > 0);
}

function copyCode(ctx: Ctx): Instruction[] {
  const src = ctx.layout.srcBase ? `${ctx.layout.srcBase}/` : '.';
  return [
    { kind: 'comment', text: 'The code: from here on, a code change rebuilds only cheap layers.' },
    { kind: 'copy', sources: [src], dest: `${APP}/` },
  ];
}

function projectStep(ctx: Ctx): Instruction[] {
  const { plan } = ctx;
  const out: Instruction[] = [];
  if (plan.packageManager === 'uv') {
    if (!plan.installProject && !isWorkspace(plan)) return out;
    out.push({
      kind: 'comment',
      text: 'Now the project itself, non-editable: the venv must not point back into a source tree.',
    });
    out.push({
      kind: 'run',
      mounts: [cacheMount('/root/.cache/uv', true), ctx.mounts.secret],
      commands: [shJoin([`${TOOLS}/bin/uv`, 'sync', ...uvIn(ctx), '--locked', '--no-dev', '--no-editable'])],
    });
    return out;
  }
  if (!plan.installProject) return out;
  const srcDir = ctx.layout.workdir === APP ? '.' : ctx.layout.workdir.slice(APP.length + 1);
  const bindSource = ctx.layout.srcBase
    ? srcDir === '.'
      ? ctx.layout.srcBase
      : `${ctx.layout.srcBase}/${srcDir}`
    : srcDir;
  out.push({
    kind: 'comment',
    text: 'The project itself, non-editable and without dependencies (they come from the lock above). Built from a\nthrowaway read-write bind mount of the sources so build/ and *.egg-info never land in /app.\nSOURCE_DATE_EPOCH makes pip write hash-based .pyc files, valid whatever the file times in the runtime.',
  });
  out.push({
    kind: 'run',
    mounts: [
      {
        type: 'bind',
        options: [
          ['source', bindSource],
          ['target', '/tmp/project'],
          ['rw', 'true'],
        ],
      },
      ctx.mounts.pip,
      ctx.mounts.secret,
    ],
    commands: [`SOURCE_DATE_EPOCH=315532801 ${pipInstall(['--no-deps', '/tmp/project'])}`],
  });
  return out;
}

function djangoStep(ctx: Ctx): Instruction[] {
  const { plan } = ctx;
  const dj = plan.django;
  if (!dj?.staticRoot) return [];
  const manage = rel(dj.managePy || 'manage.py');
  const appDir = rel(plan.appDir);
  const managePath = appDir && isUnder(manage, appDir) ? manage.slice(appDir.length + 1) : manage;
  return [
    {
      kind: 'comment',
      text: 'Static files are collected at build time, so the runtime needs no write access. collectstatic imports\nthe settings: a throwaway SECRET_KEY lets settings that require one import; the real key is only ever\ngiven at run time and is not stored in the image.',
    },
    {
      kind: 'run',
      commands: [
        inWorkdir(
          ctx,
          `DJANGO_SETTINGS_MODULE=${shQuote(dj.settingsModule)} SECRET_KEY=collectstatic-only DJANGO_SECRET_KEY=collectstatic-only ${shJoin([`${VENV}/bin/python`, managePath, 'collectstatic', '--noinput'])}`,
        ),
      ],
    },
  ];
}

function compileAppStep(): Instruction[] {
  return [
    {
      kind: 'comment',
      text: 'Bytecode for the app too (hash-based, so file times do not matter); readable by the runtime user, who\nneither owns nor can change the code.',
    },
    {
      kind: 'run',
      commands: [
        shJoin([`${VENV}/bin/python`, '-m', 'compileall', ...COMPILE_FLAGS, APP]),
        `chmod -R a+rX,go-w ${APP}`,
      ],
    },
  ];
}

export function healthcheckArgv(port: number, hcPath: string): string[] {
  const p = hcPath.startsWith('/') ? hcPath : `/${hcPath}`;
  const url = `http://127.0.0.1:${port}${p}`;
  const code = [
    'import sys, urllib.error, urllib.request',
    'try:',
    `    urllib.request.urlopen(${JSON.stringify(url).replace(/"/g, "'")}, timeout=4)`,
    'except urllib.error.HTTPError as e:',
    '    sys.exit(1 if e.code >= 500 else 0)',
    'except Exception:',
    '    sys.exit(1)',
  ].join('\n');
  return [`${VENV}/bin/python`, '-c', code];
}

function runtimeStage(ctx: Ctx): Stage {
  const { plan } = ctx;
  const ins: Instruction[] = [];
  const img = plan.image;
  ins.push({ kind: 'from', image: imageRef(img.runtime, img.runtimeDigest), as: 'runtime' });
  const runtimePkgs = uniq(plan.system.runtime ?? []).sort();
  const { uid, gid } = plan.user;
  if (ctx.distroless) {
    if (runtimePkgs.length) {
      ins.push({
        kind: 'comment',
        text: `Shared libraries (${runtimePkgs.join(', ')}) staged in the builder: distroless has no apt and no shell.`,
      });
      ins.push({ kind: 'copy', from: 'builder', sources: ['/opt/runtime-root/'], dest: '/' });
    }
  } else {
    const name = plan.user.name || 'app';
    const cmds: string[] = [];
    const why: string[] = [];
    if (runtimePkgs.length) {
      why.push(
        `Runtime shared libraries only (${runtimePkgs.join(', ')}); compilers and -dev headers stayed in the builder.`,
      );
      cmds.push(...aptInstall(runtimePkgs));
    }
    why.push(
      `A fixed numeric UID/GID: USER ${uid}:${gid} lets Kubernetes runAsNonRoot verify the user without /etc/passwd.`,
    );
    ins.push({ kind: 'comment', text: why.join('\n') });
    cmds.push(shJoin(['groupadd', '--system', '--gid', String(gid), name]));
    cmds.push(
      shJoin([
        'useradd',
        '--system',
        '--uid',
        String(uid),
        '--gid',
        String(gid),
        '--create-home',
        '--home-dir',
        `/home/${name}`,
        '--shell',
        '/usr/sbin/nologin',
        name,
      ]),
    );
    ins.push({ kind: 'run', commands: cmds });
  }
  ins.push({ kind: 'comment', text: 'Only the venv: no package manager, no compilers, no caches.' });
  ins.push({ kind: 'copy', from: 'builder', sources: [VENV], dest: VENV });
  const env: [string, string][] = [
    // Spelled out rather than `${PATH}`: distroless bases may not define PATH, and an empty entry would mean `.`.
    ['PATH', `${VENV}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`],
    ['VIRTUAL_ENV', VENV],
    ['PYTHONUNBUFFERED', '1'],
    ['PYTHONDONTWRITEBYTECODE', '1'],
  ];
  for (const [k, v] of Object.entries(plan.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      throw new InputError(`environment variable name ${JSON.stringify(k)} is not valid`);
    if (/[\r\n]/.test(v))
      throw new InputError(`environment variable ${k}: a Dockerfile ENV value cannot hold a line break`);
    if (!env.some(([e]) => e === k)) env.push([k, v]);
  }
  ins.push({
    kind: 'comment',
    text: 'Logs straight to stdout; bytecode was compiled in the builder, the runtime never writes .pyc files.',
  });
  ins.push({ kind: 'env', pairs: env });
  const staticRoot = plan.django?.staticRoot;
  if (staticRoot && posix.isAbsolute(staticRoot) && !isUnder(staticRoot, APP)) {
    ins.push({ kind: 'copy', from: 'builder', sources: [staticRoot], dest: staticRoot });
  }
  ins.push({ kind: 'copy', from: 'builder', sources: [APP], dest: APP });
  ins.push({ kind: 'workdir', path: ctx.layout.workdir });
  ins.push({ kind: 'label', pairs: planLabels(plan) });
  ins.push({ kind: 'user', user: `${uid}:${gid}` });
  if (plan.port !== null) {
    ins.push({ kind: 'expose', port: plan.port });
    if (plan.healthcheckPath) {
      ins.push({
        kind: 'comment',
        text: 'Standard library only (no curl, no requests in the image), exec form so it works without a shell.',
      });
      ins.push({
        kind: 'healthcheck',
        options: [
          ['interval', '30s'],
          ['timeout', '5s'],
          ['start-period', '20s'],
          ['retries', '3'],
        ],
        argv: healthcheckArgv(plan.port, plan.healthcheckPath),
      });
    }
  }
  if (plan.framework === 'cli') {
    ins.push({
      kind: 'comment',
      text: 'A command-line tool: `docker run IMAGE --help` passes its arguments to the tool.',
    });
    ins.push({ kind: 'entrypoint', argv: plan.command });
    return { name: 'runtime', instructions: ins };
  }
  if (ctx.distroless) {
    ins.push({
      kind: 'comment',
      text: 'The distroless base runs python by default; the command below is the whole argv.',
    });
    ins.push({ kind: 'entrypoint', argv: [] });
  }
  ins.push({ kind: 'cmd', argv: plan.command });
  return { name: 'runtime', instructions: ins };
}

/** Stage the runtime packages' shared libraries for a distroless runtime (no apt there). */
function distrolessLibsStep(ctx: Ctx): Instruction[] {
  const { plan } = ctx;
  const pkgs = uniq(plan.system.runtime ?? []).sort();
  if (!ctx.distroless || !pkgs.length) return [];
  const pyPkg = `libpython${plan.pythonVersion}-stdlib`;
  return [
    {
      kind: 'comment',
      text: `Distroless has no apt: install ${pkgs.join(', ')} here and stage their shared libraries (and those of their\ndependencies that ${pyPkg} does not already bring into the distroless image) under /opt/runtime-root.`,
    },
    {
      kind: 'run',
      commands: [
        'apt-get update',
        shJoin(['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs]),
        `closure() { apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances --no-pre-depends "$@" | grep -v '^ ' | grep -v '^<' | sort -u; }`,
        `closure ${shJoin(pkgs)} > /tmp/need`,
        `closure ${shQuote(pyPkg)} > /tmp/have`,
        `for p in $(comm -23 /tmp/need /tmp/have); do dpkg -L "$p" 2>/dev/null | grep -E '\\.so(\\.[0-9]+)*$' || true; done | sort -u > /tmp/libs`,
        'mkdir -p /opt/runtime-root',
        'while read -r f; do [ -e "$f" ] && cp -a --parents "$f" /opt/runtime-root/; done < /tmp/libs',
        // Alternatives (libblas.so.3, liblapack.so.3) are symlinks dpkg does not list: stage the
        // loader-visible name and its /etc/alternatives hop when they lead to a staged library.
        'for l in /usr/lib/*-linux-gnu/*.so*; do [ -L "$l" ] && grep -qxF "$(readlink -f "$l")" /tmp/libs || continue; cp -a --parents "$l" /opt/runtime-root/; a=$(readlink "$l"); case "$a" in /etc/alternatives/*) cp -a --parents "$a" /opt/runtime-root/ ;; esac; done',
        'rm -rf /var/lib/apt/lists/* /tmp/need /tmp/have /tmp/libs',
      ],
    },
  ];
}

function builderStage(ctx: Ctx): Stage {
  const { plan } = ctx;
  const ins: Instruction[] = [];
  ins.push({ kind: 'from', image: imageRef(plan.image.builder, plan.image.builderDigest), as: 'builder' });
  ins.push(...builderSystemStep(ctx));
  ins.push(...distrolessLibsStep(ctx));
  const env: [string, string][] = [['PIP_DISABLE_PIP_VERSION_CHECK', '1']];
  if (plan.packageManager === 'uv') {
    env.push(
      ['UV_COMPILE_BYTECODE', '1'],
      ['UV_LINK_MODE', 'copy'],
      ['UV_PYTHON_DOWNLOADS', '0'],
      ['UV_PYTHON', ctx.py],
      ['UV_PROJECT_ENVIRONMENT', VENV],
    );
    ins.push({
      kind: 'comment',
      text: "uv: compile bytecode, copy (not hard-link) out of the cache mount, never download a Python: the venv must\nuse this image's interpreter, the one the runtime has at the same path.",
    });
  }
  if (plan.packageManager === 'pdm') env.push(['PDM_CHECK_UPDATE', 'false']);
  if (plan.packageManager === 'poetry') env.push(['POETRY_NO_INTERACTION', '1']);
  ins.push({ kind: 'env', pairs: env });
  ins.push(...indexArgs(ctx));
  if (plan.packageManager === 'uv') {
    ins.push({
      kind: 'comment',
      text: 'The pinned uv binary, copied from its official image (no pip install of uv).',
    });
    ins.push({ kind: 'copy', from: 'uv', sources: ['/uv'], dest: `${TOOLS}/bin/uv` });
  }
  ins.push(...toolsStep(ctx));
  ins.push({ kind: 'workdir', path: APP });
  ins.push(...copyManifests(ctx));
  ins.push(...depsStep(ctx));
  ins.push(...copyCode(ctx));
  ins.push(...projectStep(ctx));
  ins.push(...djangoStep(ctx));
  ins.push(...compileAppStep());
  return { name: 'builder', instructions: ins };
}

/**
 * Plan -> Dockerfile text: a pure function of the Plan (nothing is read from disk, no override is
 * applied again); `opts` only chooses how the file is presented.
 */
export function renderDockerfile(plan: Plan, opts: RenderOptions = {}): string {
  if (!plan.command?.length) {
    throw new InputError(
      'no start command was found for this project: set `command` in [tool.pycontain] of pyproject.toml or pass --command',
    );
  }
  if (/alpine/i.test(plan.image.builder) || /alpine/i.test(plan.image.runtime)) {
    throw new InputError(
      `Alpine base images are not supported (${plan.image.runtime}): musl libc has no manylinux wheels, so native packages build from source or break`,
    );
  }
  const layout = layoutOf(plan);
  const distroless = plan.image.distroless;
  const sameImage =
    plan.image.builder === plan.image.runtime && plan.image.builderDigest === plan.image.runtimeDigest;
  // The venv's bin/python links to the builder's interpreter: with one image for both stages any path
  // works; otherwise it must be the exact path the runtime has.
  const py = distroless || !sameImage ? plan.image.pythonPath || 'python3' : 'python3';
  const tools: ToolVersions = { ...DEFAULT_TOOL_VERSIONS, ...(plan.tools ?? {}) };
  const ctx: Ctx = {
    plan,
    layout,
    tools,
    py,
    distroless,
    mounts: { pip: cacheMount('/root/.cache/pip', true), secret: secretMount(plan) },
  };
  const stages: Stage[] = [];
  const globalArgs: { name: string; value?: string }[] = [];
  if (plan.packageManager === 'uv') {
    globalArgs.push({ name: 'UV_VERSION', value: tools.uv });
    stages.push({
      name: 'uv',
      instructions: [{ kind: 'from', image: `${UV_IMAGE}:\${UV_VERSION}`, as: 'uv' }],
    });
  }
  stages.push(builderStage(ctx));
  stages.push(runtimeStage(ctx));
  const secretId = plan.index.secretId || 'pip-index';
  const warningLines = annotateWarnings(stages, plan.warnings);
  const header = [
    `Generated by pycontain ${opts.generator ?? VERSION}: ${plan.packageManager} project, ${plan.framework} app, Python ${plan.pythonVersion}${distroless ? ', distroless runtime' : ''}.`,
    'Regenerate with `pycontain init --force`; check with `pycontain lint`.',
    `Build: docker build -t app .   Private index credentials: --secret id=${secretId},src=$HOME/.netrc`,
    ...warningLines,
  ];
  const model: DockerfileModel = {
    directives: opts.syntax === null ? [] : [['syntax', opts.syntax ?? 'docker/dockerfile:1']],
    header,
    globalArgs,
    stages,
  };
  return writeDockerfile(model);
}
