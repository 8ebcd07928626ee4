import {
  type PoetryLock,
  parsePoetryLock,
  poetryDeclared,
  poetryLockStaleness,
  requirementDep,
} from '../../locks/poetry.js';
import type { LockedDep } from '../../locks/types.js';
import { normalizeName } from '../../pep508.js';
import type { PyProject } from '../../pyproject.js';
import { isTableLike, type LockRoots, type LockStage, noRoots, type RootsInput } from './types.js';

/** What `poetry install -E <extra>` / `--with <group>` adds for one requested name. */
function requestedRoots(appPy: PyProject, ex: string): LockedDep[] {
  const out: LockedDep[] = [];
  for (const n of appPy.poetry?.extras?.[ex] ?? []) out.push({ name: normalizeName(n) });
  const grp = appPy.poetry?.group?.[ex]?.dependencies;
  for (const [n, v] of Object.entries(grp ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    const gx =
      isTableLike(first) && Array.isArray(first.extras) ? first.extras.map(String).map(normalizeName) : [];
    out.push({ name: normalizeName(n), ...(gx.length ? { extras: gx } : {}) });
  }
  for (const s of appPy.project?.['optional-dependencies']?.[ex] ?? []) out.push(requirementDep(s));
  return out;
}

function poetryRoots(lock: PoetryLock, { app: { appPy }, extras }: RootsInput): LockRoots {
  if (!appPy) return noRoots();
  const d = poetryDeclared(appPy);
  const mainRoots = d.main;
  for (const ex of extras) mainRoots.push(...requestedRoots(appPy, ex));
  return { mainRoots, devRoots: d.dev, staleness: poetryLockStaleness(lock, appPy), wheelsKnown: true };
}

export const poetryLockStage: LockStage<PoetryLock> = { parse: parsePoetryLock, roots: poetryRoots };
