import { type PipfileLock, parsePipfileLock, pipfileLockStaleness } from '../../locks/pipfile.js';
import type { LockRoots, LockStage, RootsInput } from './types.js';

/** Pipfile.lock is already flat: its default section is installed, develop is dev. */
function pipenvRoots(lock: PipfileLock, { pipfile }: RootsInput): LockRoots {
  return {
    // Pipfile.lock records hashes, not file names.
    wheelsKnown: false,
    mainRoots: lock.packages.filter((p) => p.groups?.includes('default')).map((p) => ({ name: p.name })),
    devRoots: lock.packages.filter((p) => !p.groups?.includes('default')).map((p) => ({ name: p.name })),
    staleness: pipfile ? pipfileLockStaleness(lock, pipfile) : null,
  };
}

export const pipenvLockStage: LockStage<PipfileLock> = { parse: parsePipfileLock, roots: pipenvRoots };
