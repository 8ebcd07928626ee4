// The truth schema of the real-repository corpus (README.md beside this file explains each field).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const Minor = z.string().regex(/^3\.\d{1,2}$/, 'a Python minor such as "3.12"');
const Argv = z.array(z.string()).min(1);

export const Truth = z.object({
  appDir: z.string().min(1),
  packageManager: z.enum(['uv', 'poetry', 'pdm', 'pipenv', 'pip', 'pip-tools', 'setuptools']),
  lockfile: z.string().nullable(),
  pythonMinor: Minor,
  pythonAdmissible: z.array(Minor).min(1),
  framework: z.enum([
    'fastapi',
    'starlette',
    'litestar',
    'flask',
    'django',
    'celery',
    'streamlit',
    'gradio',
    'aiohttp',
    'pyramid',
    'cli',
    'unknown',
  ]),
  entrypoint: z.string().nullable(),
  command: Argv,
  alsoAccept: z.array(Argv).optional(),
  port: z.number().int().positive().nullable(),
  runtimeApt: z.array(z.string()),
  nativeDeps: z.array(z.string()),
  /**
   * The requirements file the image installs is an export of this lock (`uv export`, `poetry export`,
   * pdm-autoexport): installing from the lock with its own manager installs the same pins, so both
   * (the lock's manager + the lock) and (pip + no lock) are right.
   */
  lockExport: z.object({ lock: z.string(), requirements: z.string() }).optional(),
  /** The pinned lock really is out of date with its manifest (so a stale-lock warning is right). */
  staleLock: z.boolean().optional(),
});
export type Truth = z.infer<typeof Truth>;

export const CorpusEntry = z.object({
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  category: z.enum(['web', 'api', 'worker', 'bot', 'cli', 'data-app']),
  shape: z.string(),
  dockerfile: z.string(),
  truth: Truth,
  evidence: z.record(z.string(), z.string()),
  notes: z.string().optional(),
});
export type CorpusEntry = z.infer<typeof CorpusEntry>;

/** `owner/name` → the file and checkout name `owner__name`. */
export const slugOf = (repo: string) => repo.replace('/', '__');

export const REPOS_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'repos');

/** Every corpus entry, validated; a bad file is an error naming the file and the field. */
export function loadCorpus(dir = REPOS_DIR): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const file = path.join(dir, f);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file}: not JSON: ${(e as Error).message}`);
    }
    const r = CorpusEntry.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new Error(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
    if (`${slugOf(r.data.repo)}.json` !== f)
      throw new Error(`${file}: file name must be ${slugOf(r.data.repo)}.json`);
    out.push(r.data);
  }
  return out;
}
