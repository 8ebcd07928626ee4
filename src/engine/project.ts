import path from 'node:path';
import type { Overrides, Plan } from '../plan.js';
import { readTextIfExists } from '../util/fs.js';

/**
 * The project side of a build, loaded lazily: detection (src/project/detect.ts) and the generator
 * (src/dockerfile/) are only needed when the Dockerfile is generated, and keep `verify IMAGE` fast.
 */
// Specifiers in variables: these modules are written in parallel by other engineers; a missing one
// fails at run time with a clear message instead of breaking the type check of everything else.
const DETECT = '../project/detect.js';
const RENDER = '../dockerfile/render.js';
const IGNORE = '../dockerfile/dockerignore.js';

type DetectFn = (dir: string, overrides?: Overrides) => Promise<Plan>;
type RenderFn = (plan: Plan) => string;
type RenderIgnoreFn = (plan: Plan, gitignoreText: string | null) => string;

export async function detectPlan(dir: string, overrides: Overrides = {}): Promise<Plan> {
  const mod = (await import(DETECT)) as { detectProject: DetectFn };
  return mod.detectProject(dir, overrides);
}

export interface Generated {
  dockerfile: string;
  /** Null when the project has its own .dockerignore (it applies as is). */
  dockerignore: string | null;
}

/** Dockerfile and .dockerignore for a plan, as `pycontain init` would write them. */
export async function generateFor(plan: Plan): Promise<Generated> {
  const render = (await import(RENDER)) as { renderDockerfile: RenderFn };
  const ignore = (await import(IGNORE)) as { renderDockerignore: RenderIgnoreFn };
  const dockerfile = render.renderDockerfile(plan);
  const own = await readTextIfExists(path.join(plan.root, '.dockerignore'));
  const gitignore = await readTextIfExists(path.join(plan.root, '.gitignore'));
  return { dockerfile, dockerignore: own === null ? ignore.renderDockerignore(plan, gitignore) : null };
}
