/**
 * A C compiler for compiled packages that build from source and that data/native-packages.json does
 * not cover. The native table lists packages with system libraries (libpq, libxml2...); a package
 * with a plain C extension (greenlet, uvloop, ujson...) needs only gcc and the C library headers,
 * and the official python image's builder has neither. The interpreter's own headers are in the
 * official images; for Debian's interpreter (distroless) the renderer adds pythonX.Y-dev when
 * Python.h is missing, which it does whenever the builder installs anything to compile with.
 */
import type { Decision, Dependency } from '../plan.js';
import { isPureWheel } from './locks/wheels.js';
import { nativeTable } from './native.js';
import { compareMinor } from './pep440.js';
import { pinLabel, pinnedCeilingHits } from './python-ceilings.js';

/** What compiling a C extension takes on Debian: the compiler and libc's headers (build-essential minus make, g++, dpkg-dev). */
export const C_BUILD_PACKAGES = ['gcc', 'libc6-dev'];

export interface SourceBuildNeeds {
  /** Debian packages for the builder (empty when nothing compiles). */
  build: string[];
  decisions: Decision[];
}

/**
 * Installed dependencies that compile a C extension here: built from source (no fitting wheel, or
 * from git/path/URL) while the lock records binary wheels for other minors or platforms, or pinned
 * to a release the python-ceilings table says predates `pythonVersion`. An sdist-only package with
 * no binary wheel anywhere is usually pure Python and gets nothing.
 */
export function sourceBuildNeeds(
  deps: Dependency[],
  pythonVersion: string,
  extras: string[] = [],
): SourceBuildNeeds {
  const covered = new Set(nativeTable().map((e) => e.name));
  const installed = deps.filter((d) => (!d.group || extras.includes(d.group)) && !covered.has(d.name));
  const why = new Map<string, { dep: Dependency; reason: string }>();
  for (const d of installed) {
    if (!d.buildsFromSource) continue;
    const binary = (d.wheels ?? []).filter((w) => w.endsWith('.whl') && !isPureWheel(w));
    if (binary.length)
      why.set(d.name, {
        dep: d,
        reason: `no wheel for CPython ${pythonVersion} on Linux x86_64, while the lock records compiled wheels for others (${binary[0]}): pip compiles its C extension`,
      });
  }
  for (const h of pinnedCeilingHits(installed, extras)) {
    if (compareMinor(h.entry.lastMinor, pythonVersion) >= 0 || why.has(h.dep.name)) continue;
    why.set(h.dep.name, {
      dep: h.dep,
      reason: `${pinLabel(h.dep)} has no wheel for CPython ${pythonVersion} (${h.entry.why}): pip tries to compile it`,
    });
  }
  const decisions: Decision[] = [...why.values()].map(({ dep, reason }) => ({
    topic: `native:${dep.name}`,
    value: `build: ${C_BUILD_PACKAGES.join(' ')}`,
    reason,
    ...(dep.source ? { source: dep.source } : {}),
  }));
  return { build: why.size ? [...C_BUILD_PACKAGES] : [], decisions };
}
