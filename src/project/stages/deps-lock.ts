import type { Dependency } from '../../plan.js';
import { lockedPackageIndex } from '../locks/select.js';
import type { LockedDep, LockedPackage, LockFile, Staleness } from '../locks/types.js';
import { wheelFits } from '../locks/wheels.js';
import { type MarkerEnvironment, normalizeName } from '../pep508.js';
import { projectName } from '../pyproject.js';
import type { AppStage } from './app.js';
import type { DecisionCollector } from './collector.js';
import { markerApplies } from './deps-declared.js';
import { lockStageFor } from './locks/registry.js';
import type { LockRoots } from './locks/types.js';
import { noRoots } from './locks/types.js';
import type { ManifestStage } from './manifests.js';
import type { PythonStage } from './python.js';

/**
 * The packages a lock installs, walking from the declared roots through each package's dependencies
 * (and the optional dependencies of requested extras), evaluating markers for CPython on Linux.
 * Main packages have no group; packages reached only from dev roots get `devGroup`.
 */
function walkLock(
  lock: LockFile,
  mainRoots: LockedDep[],
  devRoots: LockedDep[],
  env: MarkerEnvironment,
  skip: Set<string>,
): Map<string, string | undefined> {
  const find = lockedPackageIndex(lock, env);
  const groups = new Map<string, string | undefined>();
  const walk = (roots: LockedDep[], group: string | undefined) => {
    const queue = [...roots];
    const seen = new Set<string>();
    for (let d = queue.shift(); d; d = queue.shift()) {
      if (!markerApplies(d.marker, env)) continue;
      const key = `${d.name}[${(d.extras ?? []).join(',')}]`;
      if (seen.has(key)) continue;
      seen.add(key);
      const pkg = find(d);
      if (!pkg) continue;
      if (!markerApplies(pkg.marker, env)) continue;
      if (
        !skip.has(d.name) &&
        (!groups.has(d.name) || (group === undefined && groups.get(d.name) !== undefined))
      )
        groups.set(d.name, group);
      queue.push(...pkg.dependencies);
      for (const ex of d.extras ?? []) queue.push(...(pkg.optionalDependencies[ex] ?? []));
    }
  };
  walk(mainRoots, undefined);
  walk(devRoots, 'dev');
  return groups;
}

function lockedToDependency(
  p: LockedPackage,
  group: string | undefined,
  lock: LockFile,
  python: string,
  wheelsKnown: boolean,
): Dependency {
  const dep: Dependency = {
    name: p.name,
    version: p.version,
    source: { file: lock.file, ...(p.line ? { line: p.line } : {}) },
  };
  if (group) dep.group = group;
  // A registry package the lock records no files for (some private indexes, `files = []`): unknown,
  // not "sdist only" — leave wheels undefined so the native table stays conservative, not alarmed.
  const recordsFiles = p.wheels.length > 0 || p.sdist || p.sourceKind !== 'registry';
  if (wheelsKnown && recordsFiles) {
    dep.wheels = p.wheels;
    const built = p.sourceKind !== 'registry' || !p.wheels.some((w) => wheelFits(w, python));
    if (built) dep.buildsFromSource = true;
  } else if (p.sourceKind !== 'registry') dep.buildsFromSource = true;
  return dep;
}

/** The project's own names (and its workspace's): locked as packages, never installed as dependencies. */
function selfNames({ ws }: AppStage, project: string | null): Set<string> {
  const out = new Set<string>();
  if (project) out.add(normalizeName(project));
  for (const m of ws?.members ?? []) if (m.name) out.add(normalizeName(m.name));
  if (ws?.pyproject && projectName(ws.pyproject)) out.add(normalizeName(projectName(ws.pyproject) as string));
  return out;
}

/** The plan targets linux/amd64; say which packages an arm64 build would compile instead. */
function platformDecision(deps: Dependency[], lock: LockFile, python: string, log: DecisionCollector): void {
  const armBuilds = deps.filter(
    (d) =>
      !d.group &&
      !d.buildsFromSource &&
      (d.wheels ?? []).some((w) => /manylinux/.test(w) && wheelFits(w, python, 'x86_64')) &&
      !(d.wheels ?? []).some((w) => wheelFits(w, python, 'aarch64')),
  );
  if (armBuilds.length)
    log.decide(
      'platform',
      'linux/amd64',
      `wheels are chosen for x86_64; an arm64 build would compile ${armBuilds.map((d) => d.name).join(', ')} (no aarch64 wheel for Python ${python} in ${lock.file})`,
      { file: lock.file },
    );
}

function stalenessMethod(s: Staleness): string {
  if (s.method === 'content-hash') return 'its content hash';
  return s.method === 'requires-dist' ? 'the requirements uv recorded' : 'package names';
}

/** The `dependencies` and `lockfile` decisions, and `stale-lock` when the manifest moved on. */
function lockDecisions(
  deps: Dependency[],
  skipped: number,
  staleness: Staleness | null,
  { lock, pipfile }: { lock: LockFile; pipfile: ManifestStage['pipfile'] },
  { app, python, log }: { app: AppStage; python: string; log: DecisionCollector },
): void {
  const main = deps.filter((d) => !d.group).length;
  log.decide(
    'dependencies',
    `${main} locked${deps.length - main ? ` + ${deps.length - main} dev (not installed)` : ''}`,
    `${lock.kind === 'pipenv' ? `read the default and develop sections of ${lock.file} (format ${lock.formatVersion}), markers evaluated` : `walked ${lock.file} (format ${lock.formatVersion}) from the declared dependencies`} for CPython ${python} on Linux${skipped > 0 ? `; ${skipped} locked package${skipped === 1 ? ' does' : 's do'} not apply here (markers, extras, other members)` : ''}`,
    { file: lock.file, ...(lock.formatVersionLine ? { line: lock.formatVersionLine } : {}) },
  );
  const hashSource = { file: lock.file, ...(lock.contentHashLine ? { line: lock.contentHashLine } : {}) };
  log.decide(
    'lockfile',
    lock.file,
    staleness?.stale
      ? `stale: ${staleness.changes[0]}`
      : staleness
        ? `in sync with the manifest (checked by ${stalenessMethod(staleness)})`
        : 'read',
    hashSource,
  );
  if (staleness?.stale)
    log.warn(
      'stale-lock',
      `${lock.file} is out of date with ${lock.kind === 'pipenv' ? (pipfile?.file ?? 'Pipfile') : (app.appPy?.file ?? 'pyproject.toml')}: ${staleness.changes.join('; ')}. A locked install will fail or install something else: re-lock`,
      hashSource,
    );
}

/** Stage 4a: the dependencies a lock installs for this Python, grouped, with their wheels. */
export function lockedDependencies(
  lock: LockFile,
  app: AppStage,
  files: ManifestStage,
  python: PythonStage,
  wants: { extras: string[]; projectName: string | null },
  log: DecisionCollector,
): Dependency[] {
  const self = selfNames(app, wants.projectName);
  const roots: LockRoots =
    lockStageFor(lock.kind)?.roots(lock, { app, pipfile: files.pipfile, ...wants }) ?? noRoots();
  const groups = walkLock(lock, roots.mainRoots, roots.devRoots, python.env, self);
  // One version per name: a uv fork or Poetry marker variant that does not apply here is not installed.
  const chosen = lockedPackageIndex(lock, python.env);
  const dependencies: Dependency[] = [];
  // Locks with groups of their own (Poetry categories) keep their names: 'dev', 'docs'.
  for (const p of lock.packages) {
    if (!groups.has(p.name) || chosen({ name: p.name }) !== p) continue;
    let g = groups.get(p.name);
    if (g && p.groups?.length && !p.groups.includes('main') && !p.groups.includes('default'))
      g = p.groups[0] === 'develop' ? 'dev' : p.groups[0];
    dependencies.push(lockedToDependency(p, g, lock, python.version, roots.wheelsKnown));
  }
  platformDecision(dependencies, lock, python.version, log);
  const skipped =
    lock.packages.length -
    dependencies.length -
    [...self].filter((n) => lock.packages.some((p) => p.name === n)).length;
  lockDecisions(
    dependencies,
    skipped,
    roots.staleness,
    { lock, pipfile: files.pipfile },
    { app, python: python.version, log },
  );
  return dependencies;
}
