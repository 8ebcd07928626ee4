import type { Overrides, Plan } from '../plan.js';
import { checkCommand, serverToAdd } from './command-check.js';
import { classifyWheels } from './native.js';
import { compareMinor } from './pep440.js';
import {
  lowerCeiling,
  type PythonCeiling,
  pinnedPackageCeiling,
  pinnedPackageWarnings,
} from './python-ceilings.js';
import { supportedMinors } from './python-releases.js';
import { locateApp } from './stages/app.js';
import { DecisionCollector } from './stages/collector.js';
import { collectDependencies } from './stages/dependencies.js';
import { chooseExtras } from './stages/extras.js';
import { chooseImage, explainDebian } from './stages/image.js';
import { planInstall } from './stages/install.js';
import { detectLauncher, scriptsOf } from './stages/launcher.js';
import { readManifests } from './stages/manifests.js';
import { chooseIndex } from './stages/package-index.js';
import { assemblePlan } from './stages/plan.js';
import { choosePython, type PythonStage } from './stages/python.js';
import { chooseHealthcheck, chooseUser, requestedGroups } from './stages/runtime.js';
import { systemNeeds } from './stages/system.js';
import { chooseTools } from './stages/tools.js';

export { INDEX_SECRET_ID } from './stages/package-index.js';
export { DEFAULT_UID } from './stages/runtime.js';

/**
 * Read the project in `dir` and assemble the Plan every command works from. `overrides` are the
 * CLI's; `[tool.pycontain]` in pyproject.toml (the top one, then the app's) sits below them.
 */
export async function detectProject(dir: string, overrides: Overrides = {}): Promise<Plan> {
  const first = await detectWith(dir, overrides);
  // A version the project pins (or the base image runs) is kept whatever the wheels say; a version
  // pycontain picked as "the newest" steps down when the lock has no wheels for it yet, or when a
  // pinned package predates it (data/python-ceilings.json); a pinned Python only gets a warning.
  if (first.pythonBy === 'pin') first.plan.warnings.push(...pinnedPackageWarnings(first.plan));
  if (first.pythonBy !== 'range' && first.pythonBy !== 'default') return first.plan;
  const ceiling = lowerCeiling(wheelCeiling(first.plan), pinnedPackageCeiling(first.plan));
  if (!ceiling) return first.plan;
  return (await detectWith(dir, overrides, ceiling)).plan;
}

/**
 * A newer CPython minor than the locked binary dependencies publish wheels for means compiling them
 * (compilers, -dev headers, minutes of build) or failing: the newest supported minor below it for
 * which every one of them has a wheel, or null when the chosen one is fine or none older is.
 */
export function wheelCeiling(
  plan: Pick<Plan, 'pythonVersion' | 'dependencies' | 'extras'>,
  today: Date | string = new Date(),
): { minor: string; reason: string } | null {
  const installed = plan.dependencies.filter((d) => !d.group || plan.extras.includes(d.group));
  const older = supportedMinors(today)
    .filter((m) => compareMinor(m, plan.pythonVersion) < 0)
    .reverse();
  // Dependencies with a Linux wheel for some candidate minor (buildsFromSource is relative to the
  // chosen one, so it is not used); sdist-only ones compile on every minor and do not count.
  const binary = installed.filter((d) =>
    [plan.pythonVersion, ...older].some((m) => classifyWheels(d.wheels ?? [], m) !== 'none'),
  );
  const missing = (m: string) =>
    binary.filter((d) => classifyWheels(d.wheels, m) === 'none').map((d) => d.name);
  const lacking = missing(plan.pythonVersion);
  if (!lacking.length) return null;
  const list = (names: string[]) =>
    names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ');
  // The newest older minor that compiles the fewest of them, if it compiles fewer than the chosen one.
  let best: { minor: string; names: string[] } | null = null;
  for (const m of older) {
    const names = missing(m);
    if (names.length < (best?.names.length ?? lacking.length)) best = { minor: m, names };
  }
  if (!best) return null;
  const now = `no wheel for CPython ${plan.pythonVersion} in the lock for ${list(lacking)}`;
  return {
    minor: best.minor,
    reason: best.names.length
      ? `leaves the fewest locked binary dependencies to compile from source (${best.names.length}: ${list(best.names)}; ${now})`
      : `every locked binary dependency has a wheel for (${now}, so they would compile from source)`,
  };
}

/**
 * One pass of detect: each stage (src/project/stages/) takes what the earlier ones produced and
 * records its decisions and warnings in one collector, so the Plan lists them in stage order.
 */
async function detectWith(
  dir: string,
  overrides: Overrides,
  ceiling?: PythonCeiling,
): Promise<{ plan: Plan; pythonBy: PythonStage['by'] }> {
  const log = new DecisionCollector();
  const app = await locateApp(dir, overrides, log);
  const files = await readManifests(app, log);
  const py = await choosePython(app, files, log, ceiling);
  const python = py.version;
  const extras = await chooseExtras(app, files, log);
  const deps = collectDependencies(app, files, py, extras, log);
  const install = await planInstall(app, files, deps, log);
  const index = chooseIndex(app, files, log);
  const image = chooseImage(app, python, log);
  const fw = await detectLauncher(app, files, deps, log, install.installProject);
  const system = systemNeeds(app, deps, python, image, log);
  explainDebian(app, python, image, system, log);
  const tools = await chooseTools(app, files, log);
  const user = chooseUser(app, image, log);
  const healthcheckPath = chooseHealthcheck(app, fw.healthcheckPath, log);
  const groups = requestedGroups(app, deps.extras, log);
  const stages = {
    app,
    files,
    python,
    deps,
    install,
    index,
    image,
    fw,
    system,
    user,
    tools,
    healthcheckPath,
    groups,
  };
  const plan = assemblePlan(stages, log);
  // Last: can the command the stages chose start in the image? (A command the user chose is theirs.)
  if (!app.merged.command) addServerOrWarn(plan, scriptsOf(app, files));
  return { plan, pythonBy: py.by };
}

/**
 * The command check, last: a framework default server the project does not depend on is added to
 * the venv (and said so); every other problem stays a warning that `init` refuses on.
 */
function addServerOrWarn(plan: Plan, scripts: Record<string, string>): void {
  const problems = checkCommand(plan, scripts);
  const add = serverToAdd(problems);
  if (add) {
    const reason = `the command starts ${add.program}, which no dependency of the project installs: pycontain installs ${add.spec} into the venv (add it to the dependencies to pin it yourself)`;
    plan.addedPackages = [
      {
        name: add.name,
        spec: add.spec,
        reason,
        ...(add.pkgResourcesBelow ? { pkgResourcesBelow: add.pkgResourcesBelow } : {}),
      },
    ];
    plan.decisions.push({ topic: 'server', value: add.spec, reason });
    // The framework's own "server not among the dependencies" warning is answered by the addition.
    plan.warnings = plan.warnings.filter((w) => w.code !== 'server-missing');
  }
  // The added server is the one the missing-server problem named; every other problem stands.
  for (const p of problems) {
    if (add && p.code === 'command-server-missing') continue;
    plan.warnings.push({ code: p.code, message: p.message });
  }
}
