/**
 * Issue #10's acceptance test: for corpus repositories (test/real-repos/), a minimal synthetic project
 * with the same shape (layout, package manager, launcher, where the port comes from) under
 * test/e2e/fixtures/real-shapes/<owner>__<name>/ goes through `pycontain init` (stand-in flags only,
 * nothing else chosen by hand) → `pycontain build` → the container started from the image answers HTTP
 * on the port the maintainers' setup uses, on the first try.
 *
 * Each fixture's expected.json holds what a maintainer would run: the command (and the other commands
 * that start the same app the same way, compared as the corpus scorer compares them), the port, the app
 * directory and the path to poll.
 *
 * Fixtures pycontain does not handle yet stay in the table, listed in KNOWN_FAILING with the reason:
 * their test is declared with `it.fails`, so the suite stays green while they fail and turns red as
 * soon as one passes, which is the signal to take it off the list.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameLaunch } from '../real-repos/score.js';
import {
  CLI,
  type CliResult,
  docker,
  loadTestenv,
  pollHttp,
  repoRoot,
  runCli,
  runContainer,
  standInFlags,
  type Testenv,
} from './support/index.js';

type Check = 'detect' | 'serve';

/**
 * Fixture → the checks that fail today and why (what pycontain produces vs what it should). Take an
 * entry out once the fix is merged: `it.fails` turns red when the check starts passing.
 */
const KNOWN_FAILING: Record<string, Partial<Record<Check, string>>> = {
  LibreTranslate__LibreTranslate: {
    detect:
      "got `gunicorn scripts.compile_locales:app --bind 0.0.0.0:8000` (an `app` assigned under a helper script's __main__ guard), port 8000; want scripts/entrypoint.sh's `gunicorn ... --bind 0.0.0.0:5000 'wsgi:app()'` (or the `libretranslate` console script), port 5000 (LT_PORT default)",
    serve:
      "the module-level name the command serves is only bound under the helper script's __main__ guard: gunicorn cannot import it",
  },
};

const FIXTURES = path.join(repoRoot, 'test', 'e2e', 'fixtures', 'real-shapes');
const NAMES = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const RUN_ID = `real-shapes-${randomBytes(4).toString('hex')}`;
/** Builds at once: the machine's 2 cores are shared. */
const PARALLEL = 2;
/** Per test: a build may wait behind the others in the queue. */
const WAIT = 3_000_000;
/** How long a started container gets to answer. */
const ANSWER_MS = 90_000;

interface Expected {
  repo: string;
  appDir: string;
  command: string[];
  alsoAccept: string[][];
  port: number;
  /** Path polled for a 200. */
  path: string;
}

interface PlanView {
  appDir: string;
  command: string[];
  port: number | null;
  packageManager: string;
  pythonVersion: string;
}

interface Outcome {
  /** The first step that failed: detect | init | build | serve, or null when all passed. */
  failedStep: string | null;
  detail: string;
  plan: PlanView | null;
  init: CliResult | null;
  build: CliResult | null;
  /** The HTTP answer on the expected port, when one came. */
  answer: { status: number; attempts: number } | null;
}

function expectedOf(name: string): Expected {
  return JSON.parse(readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8')) as Expected;
}

function limiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

let env: Testenv;
let work: string;
const tags: string[] = [];
const outcomes = new Map<string, Promise<Outcome>>();

function cli(args: string[]) {
  return runCli(args, { PYCONTAIN_RUN_ID: RUN_ID });
}

function tail(r: CliResult | null): string {
  return r ? `exit ${r.code}\n${(r.stderr || r.stdout).slice(-3000)}` : '';
}

function commandOk(plan: PlanView, want: Expected): boolean {
  return [want.command, ...want.alsoAccept].some((c) => sameLaunch(plan.command, c));
}

async function runFixture(name: string): Promise<Outcome> {
  const want = expectedOf(name);
  const copy = path.join(work, name);
  await fsp.cp(path.join(FIXTURES, name), copy, { recursive: true });
  await fsp.rm(path.join(copy, 'expected.json'));
  const out: Outcome = { failedStep: null, detail: '', plan: null, init: null, build: null, answer: null };
  const fail = (step: string, detail: string) => {
    out.failedStep ??= step;
    out.detail ||= detail;
  };

  const detect = await cli([
    'detect',
    copy,
    '--json',
    '--base-image',
    env.pythonSlim,
    '--debian',
    env.debian,
  ]);
  if (detect.code === 0) out.plan = JSON.parse(detect.stdout) as PlanView;
  else fail('detect', tail(detect));

  out.init = await cli(['init', copy, ...standInFlags(env)]);
  if (out.init.code !== 0) {
    fail('init', tail(out.init));
    return out;
  }
  const tag = `pycontain-dev/real-shapes-${name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-')}:test`;
  tags.push(tag);
  await docker(['image', 'rm', '-f', tag]);
  out.build = await cli([
    'build',
    copy,
    '--tag',
    tag,
    '--json',
    '--network',
    'host',
    '--build-arg',
    `PIP_INDEX_URL=${env.indexUrl}`,
    '--build-arg',
    `PDM_PYPI_URL=${env.indexUrl}`,
    '--build-arg',
    'POETRY_VERSION=1.3.2',
    '--build-arg',
    'PDM_VERSION=2.2.1',
  ]);
  // `build` verifies the image on the port pycontain chose; a failed verification is a failure of this
  // step, but the image is still started below to say whether it answers where it should.
  const image = (await docker(['image', 'inspect', tag])).code === 0;
  if (out.build.code !== 0) fail('build', tail(out.build));
  if (!image) return out;

  const container = await runContainer(tag, {
    port: want.port,
    extraArgs: ['--label', `io.pycontain.run=${RUN_ID}`],
  });
  try {
    const a = await pollHttp(`${container.url}${want.path}`, {
      expectStatus: 200,
      timeoutMs: ANSWER_MS,
      container,
    });
    out.answer = { status: a.status, attempts: a.attempts };
  } catch (err) {
    fail('serve', `nothing answered GET ${want.path} on port ${want.port}: ${(err as Error).message}`);
  } finally {
    await container.remove();
  }
  return out;
}

beforeAll(async () => {
  env = await loadTestenv();
  await fsp.access(CLI);
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-real-shapes-'));
  const limit = limiter(PARALLEL);
  for (const name of NAMES) {
    const p = limit(() => runFixture(name));
    p.catch(() => undefined);
    outcomes.set(name, p);
  }
});

afterAll(async () => {
  await Promise.allSettled(outcomes.values());
  // One line per fixture, for the issue: what pycontain produced, what it should, the failing step.
  const lines: string[] = [];
  for (const [name, p] of outcomes) {
    const o = await p.catch((e: Error) => ({ failedStep: 'test', detail: e.message, plan: null }) as Outcome);
    const want = expectedOf(name);
    const got = o.plan ? `${o.plan.appDir} ${o.plan.port} ${JSON.stringify(o.plan.command)}` : '-';
    lines.push(
      `${name}: ${o.failedStep ? `FAILS at ${o.failedStep}` : 'ok'}; got ${got}; want ${want.appDir} ${want.port} ${JSON.stringify(want.command)}`,
    );
  }
  console.log(`real-repository shapes:\n${lines.join('\n')}`);
  const left = await docker(['ps', '-aq', '--filter', `label=io.pycontain.run=${RUN_ID}`]);
  const ids = left.stdout.split('\n').filter(Boolean);
  if (ids.length) await docker(['rm', '-f', ...ids]);
  if (tags.length) await docker(['image', 'rm', '-f', ...tags]);
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

describe('real-repository shapes', () => {
  it('there are at least 8 fixtures, each naming its corpus repository and expecting what its truth file says', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(8);
    for (const name of NAMES) {
      const want = expectedOf(name);
      expect(want.repo.replace('/', '__'), name).toBe(name);
      expect(readFileSync(path.join(FIXTURES, name, 'README.md'), 'utf8')).toContain(want.repo);
      const truth = JSON.parse(
        readFileSync(path.join(repoRoot, 'test', 'real-repos', 'repos', `${name}.json`), 'utf8'),
      ) as { truth: { port: number | null; appDir: string } };
      expect(want.port, `${name}: the port of the truth`).toBe(truth.truth.port);
      expect(want.appDir, `${name}: the app dir of the truth`).toBe(truth.truth.appDir);
    }
    for (const name of Object.keys(KNOWN_FAILING))
      expect(NAMES, 'KNOWN_FAILING names a fixture').toContain(name);
  });

  describe.each(NAMES)('%s', (name) => {
    const want = expectedOf(name);
    const known = KNOWN_FAILING[name] ?? {};
    const test = (check: Check) => (known[check] ? it.fails : it);

    test('detect')(
      `detects the app dir ${want.appDir}, port ${want.port} and a command that starts the app as ${JSON.stringify(want.command)}`,
      async () => {
        const o = await outcomes.get(name)!;
        expect(o.plan, o.detail).not.toBeNull();
        const plan = o.plan!;
        const got = { appDir: plan.appDir, port: plan.port, commandOk: commandOk(plan, want) };
        expect(got, `pycontain: ${JSON.stringify(plan.command)} on ${plan.port} in ${plan.appDir}`).toEqual({
          appDir: want.appDir,
          port: want.port,
          commandOk: true,
        });
      },
      WAIT,
    );

    test('serve')(
      `init → build → the container answers GET ${want.path} on port ${want.port}, first try`,
      async () => {
        const o = await outcomes.get(name)!;
        expect(o.failedStep, `${o.failedStep} failed:\n${o.detail}`).toBeNull();
        expect(o.answer?.status).toBe(200);
      },
      WAIT,
    );
  });
});
