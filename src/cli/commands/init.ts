import { type Command, Option } from '@commander-js/extra-typings';
import { InputError, type Overrides } from '../../plan.js';
import { EXIT, runCommand } from '../errors.js';

/** Split a command line like a POSIX shell would (quotes and backslashes, no expansion); JSON arrays too. */
export function splitCommand(text: string): string[] {
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
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else cur += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < t.length && '"\\$`'.includes(t[i + 1] as string)) cur += t[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < t.length) {
      cur += t[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new InputError(`--command: unterminated ${quote} quote in ${JSON.stringify(text)}`);
  if (inWord) out.push(cur);
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

/** The flags that shape the Plan, shared by init (and usable by build). */
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
  if (opts.command !== undefined) o.command = splitCommand(opts.command);
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

export function registerInit(program: Command): void {
  const cmd = program
    .command('init')
    .description('Write a Dockerfile and .dockerignore for the Python project in DIR.')
    .argument('[dir]', 'project directory', '.')
    .option('--force', 'replace an existing Dockerfile / .dockerignore', false)
    .option('--dry-run', 'print both files, write nothing', false)
    .option('--diff', 'show a unified diff against the existing files, write nothing', false)
    .option(
      '--no-syntax',
      'leave out `# syntax=docker/dockerfile:1` (air-gapped builders that cannot pull the frontend)',
    );
  addPlanOptions(cmd).action(
    async (
      dir: string,
      opts: PlanFlagValues & { force: boolean; dryRun: boolean; diff: boolean; syntax?: boolean },
    ) => {
      await runCommand(
        async () => {
          const overrides = overridesFromFlags(opts);
          const { initProject, BrokenCommandError } = await import('../../dockerfile/init.js');
          const r = await initProject(dir, {
            force: opts.force,
            dryRun: opts.dryRun,
            diff: opts.diff,
            overrides,
            render: opts.syntax === false ? { syntax: null } : {},
          }).catch((err: unknown) => {
            // A dry run still shows what would have been written, with the reasons it was not.
            if (err instanceof BrokenCommandError && err.output) process.stdout.write(err.output);
            throw err;
          });
          process.stdout.write(r.output);
          return EXIT.ok;
        },
        { projectDir: dir },
      );
    },
  );
}
