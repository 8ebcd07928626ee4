import { InputError } from '../../plan.js';

export interface LockedDep {
  /** PEP 503 normalized. */
  name: string;
  marker?: string;
  extras?: string[];
  /** The exact version meant, when the lock holds the name at several versions (uv forks). */
  version?: string;
}

export interface LockedPackage {
  /** PEP 503 normalized. */
  name: string;
  version: string;
  /** Wheel file names the lock records (empty when it records none or only hashes). */
  wheels: string[];
  /** The lock records an sdist (or the package comes from git/path/url and is built). */
  sdist: boolean;
  /** Where the lock says it comes from: 'registry', 'git', 'path', 'url', 'editable', 'virtual', 'directory'. */
  sourceKind: string;
  dependencies: LockedDep[];
  /** Extra name -> dependencies it adds. */
  optionalDependencies: Record<string, LockedDep[]>;
  /** Groups/categories the lock itself records ('main', 'dev', 'default'...), when it does. */
  groups?: string[];
  /** Dev-group name -> dependencies (uv's root packages record these). */
  devDependencies?: Record<string, LockedDep[]>;
  /** Optional in Poetry's sense: installed only through an extra. */
  optional?: boolean;
  /** Marker under which the package itself is installed (Pipfile.lock `markers`, poetry.lock 2.1 `markers`). */
  marker?: string;
  /**
   * uv `resolution-markers`: the forks of the resolution this version belongs to (any of them). The
   * same name at another version covers the other forks.
   */
  resolutionMarkers?: string[];
  line?: number;
}

export type LockKind = 'uv' | 'poetry' | 'pdm' | 'pipenv';

export interface LockFile {
  kind: LockKind;
  /** Relative to the scanned root. */
  file: string;
  formatVersion: string;
  formatVersionLine?: number;
  requiresPython?: string;
  requiresPythonLine?: number;
  packages: LockedPackage[];
  /** Hash the lock records over the manifest (Poetry content-hash, PDM content_hash, Pipfile.lock _meta.hash). */
  contentHash?: string;
  contentHashLine?: number;
  /** Warnings raised while reading (newer minor format, unknown fields). */
  notes: string[];
}

/** A stale-lock finding: what changed since locking, with the manifest line when known. */
export interface Staleness {
  stale: boolean;
  /** How freshness was judged ('content-hash', 'requires-dist', 'names'). */
  method: string;
  changes: string[];
}

/**
 * Compare a lock's format version with the newest pycontain knows. A newer major is a format we
 * cannot read safely: InputError at the version key. A newer minor within a known major is
 * readable by design in uv, Poetry and PDM (they only add fields): a note, not an error.
 */
export function checkFormatVersion(
  tool: string,
  file: string,
  found: string,
  known: string,
  line: number | undefined,
  compareMinor = true,
): string | null {
  const [fMaj = 0, fMin = 0] = found.split('.').map((x) => Number.parseInt(x, 10));
  const [kMaj = 0, kMin = 0] = known.split('.').map((x) => Number.parseInt(x, 10));
  if (!Number.isFinite(fMaj) || Number.isNaN(fMaj)) {
    throw new InputError(`${file} has an unreadable format version ${JSON.stringify(found)}`, file, line);
  }
  if (fMaj > kMaj || (!compareMinor && fMaj === kMaj && fMin > kMin)) {
    throw new InputError(
      `${file} version ${found} is newer than pycontain understands (${known}); upgrade pycontain or re-lock with an older ${tool}`,
      file,
      line,
    );
  }
  if (compareMinor && fMaj === kMaj && fMin > kMin) {
    return `${file} format ${found} is newer than the ${known} pycontain knows; reading it as ${known}`;
  }
  return null;
}
