/**
 * The one flag-to-overrides mapping: `detect`, `init` and `build` take the same plan flags, so
 * `detect --distroless --json` shows the plan `init --distroless` renders and `build --distroless` builds.
 */
import { type Command, Option } from '@commander-js/extra-typings';
import { InputError, type Overrides } from '../plan.js';
import { ShellSyntaxError, splitShellWords } from '../util/shell-words.js';

/** --command: shell words (quotes and backslashes, no expansion) or a JSON array. */
export function parseCommandFlag(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      throw new InputError(`--command: ${JSON.stringify(text)} starts with [ but is not a JSON array`);
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string') || parsed.length === 0) {
      throw new InputError('--command: a JSON command must be a non-empty array of strings');
    }
    return parsed as string[];
  }
  let out: string[];
  try {
    out = splitShellWords(t);
  } catch (err) {
    if (err instanceof ShellSyntaxError)
      throw new InputError(`--command: ${err.message} in ${JSON.stringify(text)}`);
    throw err;
  }
  if (!out.length) throw new InputError('--command: empty command');
  return out;
}

const collect = (value: string, prev: string[] = []): string[] => [...prev, value];

export interface PlanFlagValues {
  python?: string;
  baseImage?: string;
  builderImage?: string;
  distroless?: boolean;
  distrolessImage?: string;
  debian?: string;
  indexUrl?: string;
  extraIndexUrl?: string[];
  port?: string;
  command?: string;
  apt?: string[];
  uid?: string;
  appDir?: string;
  keepPackageTests?: boolean;
}

/** The flags that shape the Plan: detect, init and build take the same ones and map them the same way. */
// biome-ignore lint/suspicious/noExplicitAny: the flags are read back untyped through PlanFlagValues
export function addPlanOptions<C extends Command<any, any, any>>(cmd: C): C {
  cmd
    .option('--python <X.Y>', 'Python version to build for')
    .option('--base-image <image>', 'base image of both stages (a mirror, a private registry, a digest pin)')
    .option('--builder-image <image>', 'base image of the builder stage')
    .option('--distroless', 'distroless runtime (Debian python, no shell)')
    .option('--distroless-image <image>', 'the distroless runtime image to use')
    .option(
      '--debian <codename>',
      "Debian release of the base images (bookworm, trixie) when the base image's tag does not name it",
    )
    .option('--index-url <url>', 'package index (credentials go in a --secret, never here)')
    .addOption(
      new Option('--extra-index-url <url>', 'an extra package index (repeatable)').argParser(collect),
    )
    .option('--port <n>', 'port the app listens on')
    .option('--command <cmd>', 'command the container runs, e.g. "gunicorn app:app --bind 0.0.0.0:8000"')
    .addOption(
      new Option('--apt <pkg>', 'an extra Debian package for the runtime (repeatable)').argParser(collect),
    )
    .option('--uid <n>', 'numeric UID/GID of the runtime user')
    .option('--app-dir <path>', 'the Python app inside a monorepo, relative to DIR')
    .option(
      '--keep-package-tests',
      'keep the test suites packages ship inside themselves (numpy/**/tests, pandas/tests, ...)',
    );
  return cmd;
}

export function overridesFromFlags(opts: PlanFlagValues): Overrides {
  const o: Overrides = {};
  if (opts.python !== undefined) {
    if (!/^\d+\.\d+(\.\d+)?$/.test(opts.python))
      throw new InputError(`--python: "${opts.python}" is not a version like 3.12`);
    o.pythonVersion = opts.python;
  }
  if (opts.baseImage !== undefined) o.baseImage = opts.baseImage;
  if (opts.builderImage !== undefined) o.builderImage = opts.builderImage;
  if (opts.distroless) o.distroless = true;
  if (opts.distrolessImage !== undefined) {
    o.distrolessImage = opts.distrolessImage;
    o.distroless = true;
  }
  if (opts.debian !== undefined) o.debian = opts.debian;
  if (opts.indexUrl !== undefined) {
    if (!/^https?:\/\//.test(opts.indexUrl))
      throw new InputError(`--index-url: "${opts.indexUrl}" is not an http(s) URL`);
    if (/^https?:\/\/[^/]*@/.test(opts.indexUrl)) {
      throw new InputError(
        '--index-url: the URL contains credentials; they would be written into the Dockerfile. Pass the URL without them and the credentials with `docker build --secret id=pip-index,src=$HOME/.netrc`',
      );
    }
    o.indexUrl = opts.indexUrl;
  }
  if (opts.extraIndexUrl?.length) o.extraIndexUrls = opts.extraIndexUrl;
  if (opts.port !== undefined) {
    const n = Number(opts.port);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new InputError(`--port: "${opts.port}" is not a port number`);
    o.port = n;
  }
  if (opts.command !== undefined) o.command = parseCommandFlag(opts.command);
  if (opts.apt?.length) {
    for (const p of opts.apt) {
      if (!/^[a-z0-9][a-z0-9+.-]+$/.test(p))
        throw new InputError(`--apt: "${p}" is not a Debian package name`);
    }
    o.aptPackages = opts.apt;
  }
  if (opts.uid !== undefined) {
    const n = Number(opts.uid);
    if (!Number.isInteger(n) || n < 1 || n > 2147483647) {
      throw new InputError(
        `--uid: "${opts.uid}" must be a positive integer (0 is root, which the image never runs as)`,
      );
    }
    o.uid = n;
  }
  if (opts.appDir !== undefined) o.appDir = opts.appDir;
  if (opts.keepPackageTests) o.keepPackageTests = true;
  return o;
}
