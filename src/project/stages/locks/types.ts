import type { Pipfile } from '../../locks/pipfile.js';
import type { LockedDep, LockFile, Staleness } from '../../locks/types.js';
import type { AppStage } from '../app.js';

/** What a lock's dependency walk starts from, and whether the lock still matches its manifest. */
export interface LockRoots {
  mainRoots: LockedDep[];
  devRoots: LockedDep[];
  staleness: Staleness | null;
  /** False when the lock records hashes but no file names (Pipfile.lock): wheels are then unknown. */
  wheelsKnown: boolean;
}

export interface RootsInput {
  app: AppStage;
  pipfile: Pipfile | null;
  /** Requested extras and dependency groups. */
  extras: string[];
  projectName: string | null;
}

/** One lock format: its reader (src/project/locks/) and where its dependency walk starts. */
export interface LockStage<L extends LockFile = LockFile> {
  parse(text: string, file: string): L;
  roots(lock: L, input: RootsInput): LockRoots;
}

export const noRoots = (): LockRoots => ({ mainRoots: [], devRoots: [], staleness: null, wheelsKnown: true });

export function isTableLike(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
