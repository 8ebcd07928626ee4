/**
 * Which locked package a dependency means. A uv lock can hold one name at several versions, one per
 * fork of the resolution (`resolution-markers`, e.g. numpy 1.26 for python < 3.12 and 2.1 above);
 * a dependency then names the version, or the package's resolution markers tell which fork the
 * target environment is in. poetry.lock does the same with a `markers` key per version.
 */
import { evaluateMarker, type MarkerEnvironment } from '../pep508.js';
import type { LockedDep, LockedPackage, LockFile } from './types.js';

function applies(marker: string, env: MarkerEnvironment): boolean {
  try {
    return evaluateMarker(marker, env);
  } catch {
    // A marker we cannot evaluate: keep the candidate.
    return true;
  }
}

/** True unless the package belongs only to forks of the resolution that exclude `env`. */
export function forkApplies(p: LockedPackage, env: MarkerEnvironment): boolean {
  return !p.resolutionMarkers?.length || p.resolutionMarkers.some((m) => applies(m, env));
}

/**
 * A lookup from a dependency to its locked package: the named version when the dependency gives
 * one, else the one whose fork applies to `env` (the first listed when none or several do).
 */
export function lockedPackageIndex(
  lock: Pick<LockFile, 'packages'>,
  env: MarkerEnvironment,
): (dep: Pick<LockedDep, 'name' | 'version'>) => LockedPackage | undefined {
  const byName = new Map<string, LockedPackage[]>();
  for (const p of lock.packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  return (dep) => {
    const all = byName.get(dep.name) ?? [];
    if (all.length <= 1) return all[0];
    if (dep.version) {
      const exact = all.find((p) => p.version === dep.version);
      if (exact) return exact;
    }
    // poetry.lock 2.1 also repeats a name per marker (`markers = "python_version < '3.12'"`).
    return all.find((p) => forkApplies(p, env) && (!p.marker || applies(p.marker, env))) ?? all[0];
  };
}
