import type { LockFile, LockKind } from '../../locks/types.js';
import { pdmLockStage } from './pdm.js';
import { pipenvLockStage } from './pipenv.js';
import { poetryLockStage } from './poetry.js';
import type { LockStage } from './types.js';
import { uvLockStage } from './uv.js';

/** One stage per lock format, keyed by the package manager that writes it (which is its kind). */
export const LOCK_STAGES: Record<LockKind, LockStage> = {
  uv: uvLockStage as LockStage,
  poetry: poetryLockStage as LockStage,
  pdm: pdmLockStage as LockStage,
  pipenv: pipenvLockStage as LockStage,
};

export function lockStageFor(kind: string): LockStage<LockFile> | undefined {
  return Object.hasOwn(LOCK_STAGES, kind) ? LOCK_STAGES[kind as LockKind] : undefined;
}
