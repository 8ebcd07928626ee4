import path from 'node:path';
import { type Command, Option } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { type BakeTarget, bakeImages, bakeTargetName } from '../../engine/bake.js';
import { type BuildResult, buildImage } from '../../engine/build.js';
import { describeEngine, detectEngine, type Engine } from '../../engine/driver.js';
import { chooseProgressMode, createProgressView } from '../../engine/progress.js';
import { detectPlan, generateFor } from '../../engine/project.js';
import { InputError, type Overrides, type Plan } from '../../plan.js';
import { findPythonApps } from '../../project/appdir.js';
import { formatBuildSummary } from '../../report/build.js';
import { formatVerifyReport } from '../../report/verify.js';
import { exists, writeFileAtomic } from '../../util/fs.js';
import { type VerifyReport, verifyImage } from '../../verify/verify.js';
import { EXIT, runCommand } from '../errors.js';
import { addPlanOptions, overridesFromFlags, type PlanFlagValues } from '../plan-flags.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** Docker reference names: lowercase, [a-z0-9._-], no leading separator. */
export function defaultTag(name: string): string {
  const n = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '');
  return `${n || 'app'}:latest`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerBuild(program: Command): void {
  const cmd = program
    .command('build')
    .description(
      'Build the image of a Python project with the local engine (docker buildx, docker, or podman), then verify it.',
    )
    .argument('[dir]', 'project directory (the build context)', '.')
    .option(
      '-t, --tag <name>',
      'image name and tag (repeatable; default <project>:latest)',
      collect,
      [] as string[],
    )
    .option(
      '-f, --file <path>',
      "build this Dockerfile ('-' reads it from stdin) instead of the project's or a generated one",
    )
    .option('--generate', 'ignore a Dockerfile in DIR and build the generated one', false)
    .option('--platform <platform>', 'target platform (repeatable)', collect, [] as string[])
    .option('--build-arg <KEY=VALUE>', 'build argument (repeatable)', collect, [] as string[])
    .option(
      '--secret <spec>',
      'BuildKit secret, e.g. id=pip-index,src=netrc (repeatable)',
      collect,
      [] as string[],
    )
    .option('--network <mode>', 'network for RUN steps (e.g. host)')
    .option('--target <stage>', 'build this stage')
    .option('--builder <name>', 'buildx builder (e.g. a remote BuildKit)')
    .option('--cache-from <spec>', 'cache source (repeatable)', collect, [] as string[])
    .option('--cache-to <spec>', 'cache destination (repeatable)', collect, [] as string[])
    .option('--push', 'push the image after building', false)
    .option('--load', 'load the image into the local engine (default unless --push or several platforms)')
    .option('--no-load', 'do not load the image into the local engine')
    .option('--no-cache', 'do not use the build cache')
    .option('--no-verify', 'do not verify the image after building')
    .option('--allow-tools', 'verify: accept pip/setuptools/poetry in the runtime venv', false)
    .option('--health <path>', 'verify: HTTP path to poll')
    .option(
      '--builtin-frontend',
      "ignore '# syntax=' and use the engine's built-in Dockerfile frontend (offline)",
      false,
    )
    .option('--tag-prefix <prefix>', 'monorepo: tag each app <prefix><app>:latest', '')
    .option('--print-bake', 'monorepo: print the generated docker-bake.hcl', false)
    .option('--bake-file <path>', 'monorepo: also write the generated docker-bake.hcl here')
    .addOption(
      new Option('--progress <mode>', 'progress output')
        .choices(['auto', 'tty', 'plain', 'quiet'] as const)
        .default('auto' as const),
    )
    .option('--json', 'print the build and verify results as JSON on stdout', false)
    .addOption(
      new Option(
        '--engine <engine>',
        'container engine to use (default: PYCONTAIN_ENGINE, else docker, then podman)',
      ).choices(['docker', 'podman'] as const),
    );
  // The plan flags (generated Dockerfile) are detect's and init's, mapped by the same function.
  addPlanOptions(cmd).action(async (dir, cliOpts) => {
    await runCommand(
      async () => {
        const root = path.resolve(dir);
        if (!(await exists(root))) throw new InputError(`no such directory: ${dir}`);
        const overrides = overridesFromFlags(cliOpts as PlanFlagValues);
        const opts = { ...cliOpts, appDir: overrides.appDir, port: overrides.port };

        const engine = await detectEngine(opts.engine ? { prefer: opts.engine } : {});
        const mode = chooseProgressMode(opts.progress === 'auto' ? undefined : opts.progress);
        const color = !!process.stderr.isTTY && !process.env.NO_COLOR;
        const err = (s: string) => process.stderr.write(`${s}\n`);
        err(`${pc.dim('engine:')} ${describeEngine(engine)}`);

        const common = {
          platforms: opts.platform,
          buildArgs: opts.buildArg,
          secrets: opts.secret,
          network: opts.network,
          target: opts.target,
          builder: opts.builder,
          cacheFrom: opts.cacheFrom,
          cacheTo: opts.cacheTo,
          push: opts.push,
          load: opts.load,
          builtinFrontend: opts.builtinFrontend,
        };

        // Monorepo: several apps and no --app-dir / --file → one bake for all of them.
        const hasDockerfile = await exists(path.join(root, 'Dockerfile'));
        if (!opts.file && !opts.appDir && !(hasDockerfile && !opts.generate)) {
          const apps = (await findPythonApps(root)).filter((a) => a !== '.');
          const topIsApp = (await findPythonApps(root)).includes('.');
          if (!topIsApp && apps.length > 1) {
            return buildMonorepo(engine, root, apps, overrides, opts, common, mode);
          }
        }

        let plan: Plan | null = null;
        let dockerfileText: string | undefined;
        let dockerignoreText: string | null = null;
        let dockerfile: string | undefined;
        if (opts.file === '-') {
          dockerfileText = await readStdin();
        } else if (opts.file) {
          dockerfile = path.resolve(opts.file);
        } else if (hasDockerfile && !opts.generate) {
          dockerfile = path.join(root, 'Dockerfile');
        }
        if (dockerfile || dockerfileText !== undefined) {
          err(
            `${pc.dim('dockerfile:')} ${dockerfile ? path.relative(process.cwd(), dockerfile) || dockerfile : '(stdin)'}`,
          );
          // the plan only informs verification here (what must import, which port)
          plan = await detectPlan(root, overrides).catch(() => null);
        } else {
          plan = await detectPlan(root, overrides);
          const gen = await generateFor(plan);
          dockerfileText = gen.dockerfile;
          dockerignoreText = gen.dockerignore;
          err(
            `${pc.dim('dockerfile:')} generated in memory (${plan.packageManager}, ${plan.framework}, Python ${plan.pythonVersion})`,
          );
        }
        const context = plan?.root ?? root;
        const tags = opts.tag.length ? opts.tag : [defaultTag(plan?.projectName ?? path.basename(root))];
        const progress = await createProgressView(mode);
        const result = await buildImage({
          engine,
          context,
          dockerfile,
          dockerfileText,
          dockerignoreText,
          tags,
          noCache: opts.cache === false,
          progress,
          ...common,
        });
        err(formatBuildSummary(result, { color }).trimEnd());
        const verify = await maybeVerify(engine, result, plan, opts, mode);
        if (opts.json) process.stdout.write(`${JSON.stringify(buildJson(result, verify), null, 2)}\n`);
        return verify && !verify.ok ? EXIT.failed : EXIT.ok;
      },
      { projectDir: dir },
    );
  });
}

function buildJson(r: BuildResult, verify: VerifyReport | null, name?: string) {
  const steps = r.state.steps();
  return {
    ...(name ? { app: name } : {}),
    image: r.imageId,
    tags: r.tags,
    engine: r.engine.kind,
    loaded: r.loaded,
    durationMs: r.durationMs,
    steps: steps.map((s) => ({ name: s.name, cached: s.cached })),
    cachedSteps: steps.filter((s) => s.cached).length,
    verify,
  };
}

interface VerifyOpts {
  verify: boolean;
  allowTools: boolean;
  health?: string;
  port?: number;
}

async function maybeVerify(
  engine: Engine,
  r: { imageId: string | null; tags: string[]; loaded: boolean },
  plan: Plan | null,
  opts: VerifyOpts,
  mode: string,
): Promise<VerifyReport | null> {
  if (!opts.verify) return null;
  if (!r.loaded) {
    process.stderr.write(
      'verify skipped: the image is not in the local engine (--push / --no-load / several platforms)\n',
    );
    return null;
  }
  const image = r.tags[0] ?? r.imageId;
  if (!image) return null;
  const report = await verifyImage({
    engine,
    image,
    plan,
    allowTools: opts.allowTools,
    healthPath: opts.health ?? null,
    port: opts.port ?? null,
    log: mode === 'quiet' ? undefined : (l) => process.stderr.write(`${pc.dim(l)}\n`),
  });
  process.stderr.write(
    formatVerifyReport(report, { color: !!process.stderr.isTTY && !process.env.NO_COLOR }),
  );
  return report;
}

async function buildMonorepo(
  engine: Engine,
  root: string,
  apps: string[],
  overrides: Overrides,
  opts: VerifyOpts & {
    tag: string[];
    tagPrefix: string;
    printBake: boolean;
    bakeFile?: string;
    json: boolean;
    generate: boolean;
  },
  common: Record<string, unknown>,
  mode: ReturnType<typeof chooseProgressMode>,
): Promise<number> {
  if (opts.tag.length)
    throw new InputError(
      '--tag names one image; a monorepo build tags each app <app>:latest (or use --app-dir)',
    );
  const targets: (BakeTarget & { plan: Plan | null })[] = [];
  const used = new Set<string>();
  for (const app of apps) {
    const dir = path.join(root, app);
    let name = bakeTargetName(app);
    while (used.has(name)) name = `${name}-x`;
    used.add(name);
    const own = path.join(dir, 'Dockerfile');
    if (!opts.generate && (await exists(own))) {
      const plan = await detectPlan(dir, overrides).catch(() => null);
      targets.push({ name, context: dir, dockerfile: own, tags: [opts.tagPrefix + defaultTag(name)], plan });
    } else {
      const plan = await detectPlan(dir, overrides);
      const gen = await generateFor(plan);
      targets.push({
        name,
        context: plan.root,
        dockerfileText: gen.dockerfile,
        dockerignoreText: gen.dockerignore,
        tags: [opts.tagPrefix + defaultTag(name)],
        plan,
      });
    }
  }
  process.stderr.write(`${pc.dim('monorepo:')} ${apps.length} apps: ${apps.join(', ')}\n`);
  const progress = await createProgressView(mode);
  const res = await bakeImages({
    engine,
    targets,
    progress,
    ...(common as object),
    onHcl: (hcl) => {
      if (opts.printBake) process.stdout.write(hcl);
    },
  });
  if (opts.bakeFile) await writeFileAtomic(path.resolve(opts.bakeFile), res.hcl);
  const results = [];
  let ok = true;
  for (const t of targets) {
    const loaded =
      (common as { load?: boolean; push?: boolean }).load ?? !(common as { push?: boolean }).push;
    const verify = await maybeVerify(
      engine,
      { imageId: res.images[t.name] ?? null, tags: t.tags, loaded },
      t.plan,
      opts,
      mode,
    );
    if (verify && !verify.ok) ok = false;
    results.push({
      app: t.name,
      context: t.context,
      tags: t.tags,
      image: res.images[t.name] ?? null,
      verify,
    });
  }
  if (opts.json)
    process.stdout.write(`${JSON.stringify({ apps: results, durationMs: res.durationMs }, null, 2)}\n`);
  return ok ? EXIT.ok : EXIT.failed;
}
