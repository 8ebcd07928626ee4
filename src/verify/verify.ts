import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { onInterrupt } from '../engine/cleanup.js';
import {
  containerLabels,
  containerLogs,
  containerName,
  containerState,
  engineFailure,
  inspectImage,
  removeContainer,
  removeContainerSync,
} from '../engine/docker.js';
import type { Engine } from '../engine/driver.js';
import { lastLines, run } from '../engine/exec.js';
import { IMAGE_LABELS } from '../labels.js';
import { InputError, type Plan } from '../plan.js';
import { debianPackageForSoname } from '../project/native.js';
import { CHECKER_MARKER, CHECKER_PY } from './checker.js';
import { freePort, healthPathFromHealthcheck, httpGet, portInUse } from './http.js';

// The generated Dockerfile's labels tell verify what must import, the port and the health path
// without the project at hand.
const IMPORT_CHECKS_LABEL = IMAGE_LABELS.importChecks;
const PORT_LABEL = IMAGE_LABELS.port;
const HEALTH_LABEL = IMAGE_LABELS.healthcheckPath;

export type CheckId =
  | 'non-root'
  | 'imports'
  | 'dependencies'
  | 'native-libraries'
  | 'no-compilers'
  | 'no-dev-headers'
  | 'no-build-tools'
  | 'http';

export interface CheckResult {
  id: CheckId;
  ok: boolean;
  /** Not run (e.g. no port for a non-HTTP app); `ok` is true then. */
  skipped?: boolean;
  summary: string;
  details: string[];
}

export interface MissingLibrary {
  soname: string;
  neededBy: string[];
  /** Debian package that ships it, when known. */
  debianPackage: string | null;
}

export interface HttpResult {
  containerPort: number;
  hostPort: number;
  path: string;
  /** HTTP status of the last answer, or null when nothing answered. */
  status: number | null;
  ok: boolean;
  /** Milliseconds until the first answer. */
  answeredAfterMs: number | null;
  logs: string[];
}

export interface VerifyReport {
  image: string;
  imageId: string;
  ok: boolean;
  sizeBytes: number;
  layers: number;
  user: string;
  python: string | null;
  interpreter: string | null;
  inVenv: boolean | null;
  distributions: { name: string; version: string }[];
  importChecks: string[];
  missingLibraries: MissingLibrary[];
  checks: CheckResult[];
  http: HttpResult | null;
}

export interface VerifyOptions {
  engine: Engine;
  image: string;
  /** The project's plan, when a project directory is known (import checks, port, health path). */
  plan?: Plan | null;
  /** Modules to import; default: plan.importChecks, else the image's io.pycontain.import-checks label. */
  importChecks?: string[];
  /** Container port of an HTTP app; default plan.port, the label, else the first EXPOSEd port. */
  port?: number | null;
  healthPath?: string | null;
  /** Host port to publish on 127.0.0.1; default a free one. */
  hostPort?: number;
  allowTools?: boolean;
  /** Skip starting the container (static checks only). */
  noHttp?: boolean;
  /** Extra `KEY=VALUE` environment for the containers. */
  env?: string[];
  /** How long the app may take to answer. */
  startTimeoutMs?: number;
  /** Label value grouping the containers of this run (tests look for leftovers by it). */
  runId?: string;
  /** Progress notes (stderr). */
  log?: (line: string) => void;
}

interface CheckerOutput {
  python: string;
  executable: string;
  prefix: string;
  basePrefix: string;
  distributions: { name: string; version: string; location: string }[];
  dependencyProblems: { distribution: string; requirement: string; problem: string }[];
  soScanned: number;
  nativeError?: string;
  missingLibraries: { soname: string; neededBy: string[] }[];
  compilers: string[];
  pythonHeaders: string[];
  devPackages: string[];
  inVenv: boolean;
  tools: string[];
  imports: { module: string; ok: boolean; error?: string; traceback?: string; missingLibrary?: string }[];
}

/** Debian package for a missing soname (C's table); the runtime stage's Debian release when the plan knows it. */
function sonameMapper(plan: Plan | null): (soname: string) => string | null {
  const debian = plan?.image.debian ?? 'bookworm';
  return (s) => debianPackageForSoname(s, debian);
}

/** PEP 503 normalized name. */
function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

function splitList(v: string | undefined): string[] {
  return (v ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `1000`, `1000:1000` pass; root, empty, names (Kubernetes runAsNonRoot cannot check a name) fail. */
export function checkUser(user: string): CheckResult {
  const u = user.trim();
  if (!u) {
    return {
      id: 'non-root',
      ok: false,
      summary: 'runs as root (no USER in the image)',
      details: ['add USER <uid>:<gid> with numbers, e.g. USER 10001:10001'],
    };
  }
  const [uid, gid] = u.split(':');
  if (!/^\d+$/.test(uid ?? '') || (gid !== undefined && !/^\d+$/.test(gid))) {
    return {
      id: 'non-root',
      ok: false,
      summary: `USER ${u} is not numeric`,
      details: ['Kubernetes runAsNonRoot can only verify a numeric UID: use USER <uid>:<gid>'],
    };
  }
  if (Number(uid) === 0)
    return { id: 'non-root', ok: false, summary: `runs as root (USER ${u})`, details: [] };
  return {
    id: 'non-root',
    ok: true,
    summary: `runs as UID ${uid}${gid !== undefined ? `, GID ${gid}` : ''}`,
    details: [],
  };
}

/** Run the checker script inside the image, trying the interpreters an image can have. */
async function runChecker(
  o: VerifyOptions,
  modules: string[],
  runId: string,
): Promise<{ out: CheckerOutput | null; interpreter: string | null; failure: string[] }> {
  const config = JSON.stringify({ imports: modules, allowTools: !!o.allowTools });
  const candidates = ['python3', 'python', '/usr/bin/python3', '/usr/local/bin/python3'];
  let failure: string[] = [];
  for (const interp of candidates) {
    const name = containerName('check');
    const args = [
      'run',
      '--rm',
      '--name',
      name,
      ...containerLabels('verify-check', runId),
      '--network',
      'none',
    ];
    for (const e of o.env ?? []) args.push('-e', e);
    args.push('--entrypoint', interp, o.image, '-c', CHECKER_PY, config);
    const unregister = onInterrupt(() => removeContainerSync(o.engine, name));
    let r: Awaited<ReturnType<typeof run>>;
    try {
      r = await run(o.engine.bin, args, { env: o.engine.env, timeoutMs: 180_000 });
    } finally {
      unregister();
    }
    if (r.timedOut) {
      await removeContainer(o.engine, name);
      return {
        out: null,
        interpreter: interp,
        failure: ['the checker did not finish within 180s (an import hangs?)'],
      };
    }
    if (r.spawnError) throw engineFailure('docker run', r);
    const line = r.stdout.split('\n').find((l) => l.startsWith(CHECKER_MARKER));
    if (line) {
      try {
        return {
          out: JSON.parse(line.slice(CHECKER_MARKER.length)) as CheckerOutput,
          interpreter: interp,
          failure: [],
        };
      } catch {
        return { out: null, interpreter: interp, failure: lastLines(r.stdout, 10) };
      }
    }
    const text = `${r.stderr}\n${r.stdout}`;
    if (
      /executable file not found|no such file or directory|not found in \$PATH/i.test(text) &&
      (r.code === 127 || r.code === 126)
    ) {
      failure = lastLines(text, 3);
      continue;
    }
    if (/Cannot connect to the Docker daemon|error during connect/i.test(text))
      throw engineFailure('docker run', r);
    return { out: null, interpreter: interp, failure: lastLines(text, 20) };
  }
  return {
    out: null,
    interpreter: null,
    failure: [
      'no Python interpreter found in the image (tried python3, python, /usr/bin/python3, /usr/local/bin/python3)',
      ...failure,
    ],
  };
}

async function httpCheck(o: VerifyOptions, port: number, path: string, runId: string): Promise<HttpResult> {
  let hostPort: number;
  if (o.hostPort !== undefined) {
    if (await portInUse(o.hostPort)) {
      throw new InputError(
        `host port ${o.hostPort} is already in use on 127.0.0.1: pick another with --host-port, or omit it to use a free one`,
      );
    }
    hostPort = o.hostPort;
  } else {
    hostPort = await freePort();
  }
  const name = containerName('http');
  const args = [
    'run',
    '-d',
    '--name',
    name,
    ...containerLabels('verify-http', runId),
    '-p',
    `127.0.0.1:${hostPort}:${port}`,
  ];
  for (const e of o.env ?? []) args.push('-e', e);
  args.push(o.image);
  const unregister = onInterrupt(() => removeContainerSync(o.engine, name));
  const result: HttpResult = {
    containerPort: port,
    hostPort,
    path,
    status: null,
    ok: false,
    answeredAfterMs: null,
    logs: [],
  };
  try {
    const started = await run(o.engine.bin, args, { env: o.engine.env, timeoutMs: 120_000 });
    if (started.code !== 0) {
      const text = `${started.stderr}\n${started.stdout}`;
      if (/address already in use|port is already allocated/i.test(text)) {
        throw new InputError(`host port ${hostPort} is already in use: ${lastLines(text, 1)[0] ?? ''}`);
      }
      throw engineFailure(`could not start ${o.image}`, started);
    }
    const t0 = Date.now();
    const deadline = t0 + (o.startTimeoutMs ?? 60_000);
    const url = `http://127.0.0.1:${hostPort}${path}`;
    o.log?.(`waiting for ${url} (container port ${port})`);
    const strict = path !== '/';
    let exited = false;
    while (Date.now() < deadline) {
      const st = await containerState(o.engine, name);
      if (!st?.running) {
        exited = true;
        result.logs = await containerLogs(o.engine, name, 30);
        result.logs.unshift(
          `the container stopped (${st ? `status ${st.status}, exit code ${st.exitCode}${st.oomKilled ? ', out of memory' : ''}${st.error ? `, ${st.error}` : ''}` : 'gone'}) before answering on port ${port}`,
        );
        break;
      }
      const answer = await httpGet(url, 3000);
      if (answer) {
        result.status = answer.status;
        // any answer below 500 proves the app serves `/`; a declared health path must say 2xx/3xx
        const good = strict ? answer.status >= 200 && answer.status < 400 : answer.status < 500;
        if (good) {
          result.ok = true;
          result.answeredAfterMs = Date.now() - t0;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    if (!result.ok && !exited) {
      result.logs = await containerLogs(o.engine, name, 30);
      result.logs.unshift(
        result.status === null
          ? `nothing answered on ${url} within ${Math.round((o.startTimeoutMs ?? 60_000) / 1000)}s`
          : `${url} answered ${result.status}`,
      );
    }
    return result;
  } finally {
    await removeContainer(o.engine, name);
    unregister();
  }
}

/** Check a built image; never leaves a container behind (also on Ctrl-C). */
export async function verifyImage(o: VerifyOptions): Promise<VerifyReport> {
  // PYCONTAIN_RUN_ID lets a caller (CI, tests) find every container of its runs by label
  const runId = o.runId ?? process.env.PYCONTAIN_RUN_ID ?? randomBytes(6).toString('hex');
  const info = await inspectImage(o.engine, o.image);
  const plan = o.plan ?? null;
  const modules = o.importChecks ?? (plan ? plan.importChecks : splitList(info.labels[IMPORT_CHECKS_LABEL]));
  const checks: CheckResult[] = [checkUser(info.user)];

  o.log?.(`checking ${o.image} inside the image`);
  const { out, interpreter, failure } = await runChecker(o, modules, runId);
  const toDeb = sonameMapper(plan);
  const missing: MissingLibrary[] = [];
  if (!out) {
    checks.push({
      id: 'imports',
      ok: false,
      summary: 'the check script could not run in the image',
      details: failure,
    });
  } else {
    const bad = out.imports.filter((i) => !i.ok);
    if (modules.length === 0) {
      checks.push({
        id: 'imports',
        ok: true,
        skipped: true,
        summary: 'no modules to import are known (run verify with --dir PROJECT, or --import MODULE)',
        details: [],
      });
    } else {
      checks.push({
        id: 'imports',
        ok: bad.length === 0,
        summary: bad.length
          ? `${bad.length} of ${modules.length} modules fail to import`
          : `imports ${modules.join(', ')}`,
        details: bad.flatMap((b) => [
          `${b.module}: ${b.error ?? 'failed'}`,
          ...lastLines(b.traceback ?? '', 4).map((l) => `  ${l}`),
        ]),
      });
    }
    const probs = out.dependencyProblems;
    checks.push({
      id: 'dependencies',
      ok: probs.length === 0,
      summary: probs.length
        ? `${probs.length} unmet requirements`
        : `${out.distributions.length} distributions, every requirement met`,
      details: probs.map((p) => `${p.distribution} requires ${p.requirement}: ${p.problem}`),
    });
    const sonames = new Map<string, string[]>();
    for (const m of out.missingLibraries) sonames.set(m.soname, m.neededBy);
    for (const i of out.imports) {
      if (i.missingLibrary && !sonames.has(i.missingLibrary))
        sonames.set(i.missingLibrary, [`import ${i.module}`]);
    }
    for (const [soname, neededBy] of sonames)
      missing.push({ soname, neededBy, debianPackage: toDeb(soname) });
    checks.push({
      id: 'native-libraries',
      ok: missing.length === 0,
      summary: missing.length
        ? `missing shared libraries: ${missing.map((m) => `${m.soname}${m.debianPackage ? ` (Debian package ${m.debianPackage})` : ''}`).join(', ')}`
        : `${out.soScanned} extension modules, every shared library found`,
      details: missing.flatMap((m) => [
        `${m.soname} is needed by ${m.neededBy.join(', ')}`,
        m.debianPackage
          ? `  install ${m.debianPackage} in the runtime stage (apt-get install --no-install-recommends ${m.debianPackage})`
          : '  no Debian package is known for it',
      ]),
    });
    checks.push({
      id: 'no-compilers',
      ok: out.compilers.length === 0,
      summary: out.compilers.length
        ? `compilers in the runtime image: ${out.compilers.slice(0, 6).join(', ')}`
        : 'no compilers',
      details: out.compilers.length ? ['compilers belong in the builder stage only'] : [],
    });
    const headers = [...out.pythonHeaders, ...out.devPackages];
    checks.push({
      id: 'no-dev-headers',
      ok: headers.length === 0,
      summary: headers.length
        ? `development headers/packages in the runtime image: ${headers.slice(0, 8).join(', ')}${headers.length > 8 ? ', …' : ''}`
        : 'no -dev headers',
      details: [],
    });
    // a tool the project itself declares as a run-time dependency was asked for (e.g. setuptools for
    // an old gunicorn that imports pkg_resources): accepted, and said so
    const declared = new Set(
      (plan?.dependencies ?? []).filter((d) => !d.group).map((d) => normalizeName(d.name)),
    );
    // The server detect added, and the setuptools an old release of it imports pkg_resources from.
    for (const a of plan?.addedPackages ?? []) {
      declared.add(normalizeName(a.name));
      if (a.pkgResourcesBelow) declared.add('setuptools');
    }
    const toolName = (t: string) => normalizeName(path.basename(t.split(' ')[0] ?? t));
    const tools = out.tools.filter((t) => !declared.has(toolName(t)));
    const declaredTools = out.tools.filter((t) => declared.has(toolName(t)));
    const where = out.inVenv ? 'venv' : 'environment';
    const note = declaredTools.length ? ` (${declaredTools.join(', ')}: declared by the project)` : '';
    checks.push({
      id: 'no-build-tools',
      ok: tools.length === 0 || !!o.allowTools,
      summary: tools.length
        ? `${o.allowTools ? 'allowed: ' : ''}packaging tools in the runtime ${where}: ${tools.join(', ')}${note}`
        : `no pip/setuptools/poetry in the runtime ${where}${note}`,
      details:
        tools.length && !o.allowTools
          ? ['create the venv --without-pip (or remove pip after installing); pass --allow-tools to accept']
          : [],
    });
  }

  let httpResult: HttpResult | null = null;
  const port =
    o.port ??
    plan?.port ??
    (info.labels[PORT_LABEL] ? Number(info.labels[PORT_LABEL]) : null) ??
    info.exposedPorts[0] ??
    null;
  if (o.noHttp) {
    checks.push({ id: 'http', ok: true, skipped: true, summary: 'not started (--no-http)', details: [] });
  } else if (!port) {
    checks.push({
      id: 'http',
      ok: true,
      skipped: true,
      summary: 'no port: not an HTTP app, not started',
      details: [],
    });
  } else {
    const path =
      o.healthPath ??
      plan?.healthcheckPath ??
      info.labels[HEALTH_LABEL] ??
      healthPathFromHealthcheck(info.healthcheck) ??
      '/';
    httpResult = await httpCheck(o, port, path.startsWith('/') ? path : `/${path}`, runId);
    checks.push({
      id: 'http',
      ok: httpResult.ok,
      summary: httpResult.ok
        ? `GET ${httpResult.path} answered ${httpResult.status} after ${((httpResult.answeredAfterMs ?? 0) / 1000).toFixed(1)}s`
        : (httpResult.logs[0] ?? 'no answer'),
      details: httpResult.ok ? [] : httpResult.logs.slice(1).map((l) => `  | ${l}`),
    });
  }

  return {
    image: o.image,
    imageId: info.id,
    ok: checks.every((c) => c.ok),
    sizeBytes: info.sizeBytes,
    layers: info.layers,
    user: info.user,
    python: out?.python ?? null,
    interpreter: out ? `${out.executable} (via ${interpreter})` : null,
    inVenv: out?.inVenv ?? null,
    distributions: (out?.distributions ?? []).map((d) => ({ name: d.name, version: d.version })),
    importChecks: modules,
    missingLibraries: missing,
    checks,
    http: httpResult,
  };
}
