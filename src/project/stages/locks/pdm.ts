import { type PdmLock, parsePdmLock, pdmLockStaleness } from '../../locks/pdm.js';
import { requirementDep } from '../../locks/poetry.js';
import type { LockedDep } from '../../locks/types.js';
import { normalizeName } from '../../pep508.js';
import { type LockRoots, type LockStage, noRoots, type RootsInput } from './types.js';

function pdmRoots(lock: PdmLock, { app: { appPy }, extras }: RootsInput): LockRoots {
  if (!appPy) return noRoots();
  const mainRoots: LockedDep[] = (appPy.project?.dependencies ?? []).map(requirementDep);
  const devRoots: LockedDep[] = [];
  for (const ex of extras)
    mainRoots.push(...(appPy.project?.['optional-dependencies']?.[ex] ?? []).map(requirementDep));
  const pdmGroups: Record<string, string[]> = { ...(appPy.pdm?.['dev-dependencies'] ?? {}) };
  for (const [g, list] of Object.entries(appPy.dependencyGroups ?? {}))
    pdmGroups[g] = [...(pdmGroups[g] ?? []), ...list.filter((x): x is string => typeof x === 'string')];
  for (const [g, list] of Object.entries(pdmGroups)) {
    const roots = list.filter((x) => !x.startsWith('-e')).map(requirementDep);
    if (extras.some((ex) => normalizeName(ex) === normalizeName(g))) mainRoots.push(...roots);
    else devRoots.push(...roots);
  }
  return { mainRoots, devRoots, staleness: pdmLockStaleness(lock, appPy), wheelsKnown: true };
}

export const pdmLockStage: LockStage<PdmLock> = { parse: parsePdmLock, roots: pdmRoots };
