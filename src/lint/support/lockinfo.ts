import type { ProjectInfo } from '../types.js';

export type LockManager = 'uv' | 'poetry' | 'pdm' | 'pipenv';

const LOCKS: [string, LockManager][] = [
  ['uv.lock', 'uv'],
  ['poetry.lock', 'poetry'],
  ['pdm.lock', 'pdm'],
  ['Pipfile.lock', 'pipenv'],
];

/** The project's lock file and its manager: from the Plan when detection ran, else from the files present. */
export function projectLock(project: ProjectInfo): { file: string; manager: LockManager } | null {
  const plan = project.plan;
  if (plan?.lockfile) {
    const base = plan.lockfile.slice(plan.lockfile.lastIndexOf('/') + 1);
    const hit = LOCKS.find(([f]) => f === base);
    if (hit) return { file: plan.lockfile, manager: hit[1] };
  }
  if (plan) return null;
  for (const [file, manager] of LOCKS) if (project.exists(file)) return { file, manager };
  return null;
}
