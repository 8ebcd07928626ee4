import { z } from 'zod';
import { InputError, type Overrides, type Source } from '../plan.js';
import { splitShellWords } from '../util/shell-words.js';
import type { PyProject } from './pyproject.js';

/**
 * `[tool.pycontain]` in pyproject.toml: every decision detect makes can be overridden here, and
 * the CLI flags override these. Keys are kebab-case like the rest of pyproject.toml; an unknown key
 * is an error (a typo would otherwise be silently ignored).
 *
 *   [tool.pycontain]
 *   python-version = "3.12"
 *   base-image = "registry.example.com/python:3.12-slim-trixie"
 *   port = 8080
 *   command = ["gunicorn", "app:app", "--bind", "0.0.0.0:8080"]   # or a string, split like a shell
 *   apt-packages = ["libmagic1"]          # runtime stage
 *   build-apt-packages = ["libmagic-dev"] # builder stage
 *   distroless = true
 *   index-url = "https://pypi.example.com/simple"
 *   extra-index-urls = ["https://extra.example.com/simple"]
 *   healthcheck-path = "/healthz"
 *   uid = 10001
 *   app-dir = "backend"
 *   extras = ["postgres"]                # extras / dependency groups to install too
 *   keep-package-tests = true            # keep the tests numpy, pandas... ship (deleted by default)
 *   debian = "bookworm"                  # the base image's Debian release, when its tag does not say
 */
const schema = z.strictObject({
  'python-version': z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .optional(),
  'base-image': z.string().min(1).optional(),
  'builder-image': z.string().min(1).optional(),
  'distroless-image': z.string().min(1).optional(),
  debian: z
    .string()
    .regex(/^[a-z]+$/, 'expected a Debian codename such as "bookworm" or "trixie"')
    .optional(),
  port: z.number().int().min(1).max(65535).optional(),
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
  'apt-packages': z.array(z.string()).optional(),
  'build-apt-packages': z.array(z.string()).optional(),
  distroless: z.boolean().optional(),
  'index-url': z.string().optional(),
  'extra-index-urls': z.array(z.string()).optional(),
  'healthcheck-path': z.string().optional(),
  uid: z.number().int().min(1).max(2147483647).optional(),
  'app-dir': z.string().optional(),
  extras: z.array(z.string()).optional(),
  'keep-package-tests': z.boolean().optional(),
});

export interface FileOverrides {
  overrides: Overrides;
  /** Where each override key came from, for decision sources. */
  sources: Partial<Record<keyof Overrides, Source>>;
}

const KEY_MAP: Record<string, keyof Overrides> = {
  'python-version': 'pythonVersion',
  'base-image': 'baseImage',
  'builder-image': 'builderImage',
  'distroless-image': 'distrolessImage',
  debian: 'debian',
  port: 'port',
  command: 'command',
  'apt-packages': 'aptPackages',
  'build-apt-packages': 'buildAptPackages',
  distroless: 'distroless',
  'index-url': 'indexUrl',
  'extra-index-urls': 'extraIndexUrls',
  'healthcheck-path': 'healthcheckPath',
  uid: 'uid',
  'app-dir': 'appDir',
  extras: 'extras',
  'keep-package-tests': 'keepPackageTests',
};

export function readToolPycontain(p: PyProject): FileOverrides {
  if (!p.pycontain) return { overrides: {}, sources: {} };
  const r = schema.safeParse(p.pycontain);
  if (!r.success) {
    const issue = r.error.issues[0];
    const key =
      issue?.code === 'unrecognized_keys'
        ? (issue.keys[0] ?? '')
        : typeof issue?.path[0] === 'string'
          ? (issue.path[0] as string)
          : '';
    const line = (key && p.line('tool.pycontain', key)) || p.line('tool.pycontain');
    const known = Object.keys(KEY_MAP).join(', ');
    const msg =
      issue?.code === 'unrecognized_keys'
        ? `[tool.pycontain] has an unknown key "${key}" (known: ${known})`
        : `[tool.pycontain] ${key}: ${issue?.message}`;
    throw new InputError(msg, p.file, line);
  }
  const o: Overrides = {};
  const sources: FileOverrides['sources'] = {};
  for (const [k, v] of Object.entries(r.data)) {
    if (v === undefined) continue;
    const target = KEY_MAP[k];
    if (!target) continue;
    let value: unknown = v;
    if (k === 'command' && typeof v === 'string') {
      try {
        value = splitShellWords(v);
      } catch (err) {
        throw new InputError(
          `[tool.pycontain] command: ${(err as Error).message}`,
          p.file,
          p.line('tool.pycontain', k),
        );
      }
    }
    if (k === 'python-version' && !/^\d+\.\d+(\.\d+)?$/.test(String(v))) {
      throw new InputError(
        `[tool.pycontain] python-version must look like "3.12", got ${JSON.stringify(v)}`,
        p.file,
        p.line('tool.pycontain', k),
      );
    }
    (o as Record<string, unknown>)[target] = value;
    sources[target] = {
      file: p.file,
      ...(p.line('tool.pycontain', k) ? { line: p.line('tool.pycontain', k) } : {}),
    };
  }
  return { overrides: o, sources };
}

/** Later layers win: file overrides first, CLI flags last. Undefined values never erase. */
export function mergeOverrides(...layers: (Overrides | undefined)[]): Overrides {
  const out: Overrides = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer ?? {}))
      if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
