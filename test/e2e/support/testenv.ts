/**
 * The testenv's variables (../shared/testenv): stand-in base images, the local package index.
 * Resolution order: the process environment, then the state file up.sh writes, then running
 * up.sh once. Parallel test files share one up.sh run through a lock directory.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Testenv {
  /** PEP 503 index with the ~130 available distributions, e.g. http://127.0.0.1:3141/simple/ */
  indexUrl: string;
  /** Stand-in for python:3.11-slim. */
  pythonSlim: string;
  /** Stand-in for python:3.11 (the ~1 GB "naive" base). */
  pythonFull: string;
  /** Stand-in for debian:bookworm-slim. */
  debianSlim: string;
  /** Stand-in for gcr.io/distroless/python3-debian12. */
  distroless: string;
  /** Directory with files/*.whl, simple/ and manifest.json. */
  wheelhouse: string;
  /**
   * The stand-ins' Debian release. Their tags (python:3.11-slim) name none, and pycontain assumes what
   * python:X.Y-slim is today (trixie): the generators are told with --debian / debian.
   */
  debian: 'bookworm';
  /** Every PYCONTAIN_TEST_* variable, as read. */
  vars: Record<string, string>;
}

const KEYS = {
  indexUrl: 'PYCONTAIN_TEST_INDEX_URL',
  pythonSlim: 'PYCONTAIN_TEST_PYTHON_SLIM',
  pythonFull: 'PYCONTAIN_TEST_PYTHON_FULL',
  debianSlim: 'PYCONTAIN_TEST_DEBIAN_SLIM',
  distroless: 'PYCONTAIN_TEST_DISTROLESS',
  wheelhouse: 'PYCONTAIN_TEST_WHEELHOUSE',
} as const;

/** Root of the repository (this file is test/e2e/support/testenv.ts). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function stateDir(): string {
  return process.env.PYCONTAIN_TESTENV_STATE || '/var/cache/pycontain-testenv';
}

export function upScript(): string {
  return process.env.PYCONTAIN_TESTENV_UP || path.resolve(repoRoot, '../shared/testenv/up.sh');
}

/** Parse `export KEY=value` / `KEY='value'` lines as up.sh prints them. */
export function parseEnvText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(raw);
    if (!m) continue;
    let value = m[2]!.trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
      value = value.slice(1, -1);
    }
    out[m[1]!] = value;
  }
  return out;
}

function fromVars(vars: Record<string, string>): Testenv | null {
  const picked: Partial<Record<keyof typeof KEYS, string>> = {};
  for (const [field, key] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
    const v = vars[key];
    if (!v) return null;
    picked[field] = v;
  }
  const all = Object.fromEntries(Object.entries(vars).filter(([k]) => k.startsWith('PYCONTAIN_TEST')));
  return { ...(picked as Record<keyof typeof KEYS, string>), debian: 'bookworm', vars: all };
}

function fromEnvFile(): Testenv | null {
  const file = path.join(stateDir(), 'env');
  if (!existsSync(file)) return null;
  return fromVars(parseEnvText(readFileSync(file, 'utf8')));
}

let cached: Promise<Testenv> | null = null;

/**
 * The testenv, bringing it up if needed. Sets the PYCONTAIN_TEST_* variables in process.env too,
 * so code under test that reads them (and child processes) sees the same values.
 */
export function loadTestenv(): Promise<Testenv> {
  cached ??= resolveTestenv().then((env) => {
    for (const [k, v] of Object.entries(env.vars)) process.env[k] ??= v;
    return env;
  });
  cached.catch(() => {
    cached = null;
  });
  return cached;
}

async function resolveTestenv(): Promise<Testenv> {
  const fromProcess = fromVars(process.env as Record<string, string>);
  if (fromProcess) return fromProcess;
  const fromFile = fromEnvFile();
  if (fromFile) return fromFile;
  return runUpOnce();
}

const LOCK_STALE_MS = 30 * 60_000;

/** Run up.sh under a lock: one runner, the others wait for the env file it writes. */
async function runUpOnce(): Promise<Testenv> {
  const lock = path.join(stateDir(), '.up.lock');
  await fsp.mkdir(stateDir(), { recursive: true }).catch(() => undefined);
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      await fsp.mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const env = fromEnvFile();
      if (env) return env;
      const age = Date.now() - (await fsp.stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > LOCK_STALE_MS) await fsp.rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for another up.sh run (lock ${lock})`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    const existing = fromEnvFile();
    if (existing) return existing;
    const stdout = await runScript(upScript());
    const env = fromVars(parseEnvText(stdout)) ?? fromEnvFile();
    if (!env) throw new Error(`${upScript()} finished without printing the PYCONTAIN_TEST_* variables`);
    return env;
  } finally {
    await fsp.rm(lock, { recursive: true, force: true });
  }
}

function runScript(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${script} exited with ${code}:\n${err.slice(-4000)}`));
    });
  });
}

/** The wheelhouse manifest: every distribution the local index holds. */
export interface WheelhouseEntry {
  project: string;
  name: string;
  version: string;
  wheel: string;
  native: boolean;
  sha256: string;
}

export async function wheelhouseManifest(env?: Testenv): Promise<WheelhouseEntry[]> {
  const e = env ?? (await loadTestenv());
  return JSON.parse(
    await fsp.readFile(path.join(e.wheelhouse, 'manifest.json'), 'utf8'),
  ) as WheelhouseEntry[];
}

/**
 * The flags that point init/build at the testenv: the slim stand-in (and its Debian release, which
 * its tag does not name) and the local index.
 */
export function standInFlags(env: Testenv): string[] {
  return ['--base-image', env.pythonSlim, '--debian', env.debian, '--index-url', env.indexUrl];
}
