import type { ImageChoice, Plan } from '../../plan.js';
import { normalizeName } from '../pep508.js';
import type { PyProject } from '../pyproject.js';
import type { AppStage } from './app.js';
import type { DecisionCollector } from './collector.js';

/** Default non-root user of the runtime stage: a fixed UID above the ranges distributions allocate. */
export const DEFAULT_UID = 10001;

/**
 * The `nonroot` user every distroless image has in its /etc/passwd (with /home/nonroot): a
 * distroless runtime has no shell to add one of its own, so it runs as this one.
 */
export const DISTROLESS_UID = 65532;

/** Stage 11: the non-root user of the runtime stage. */
export function chooseUser(
  { merged, overrideSources }: AppStage,
  image: ImageChoice,
  log: DecisionCollector,
): Plan['user'] {
  const name = image.distroless && merged.uid === undefined ? 'nonroot' : 'app';
  const uid = merged.uid ?? (image.distroless ? DISTROLESS_UID : DEFAULT_UID);
  log.decide(
    'user',
    `${name} (${uid}:${uid})`,
    merged.uid !== undefined
      ? 'uid set by override'
      : image.distroless
        ? "the distroless base's own non-root user (it has no shell to add another)"
        : 'a fixed non-root UID, so runAsNonRoot policies can check it',
    overrideSources.uid,
  );
  return { name, uid, gid: uid };
}

/** healthcheck-path wins over the route framework.ts found. */
export function chooseHealthcheck(
  { merged, overrideSources }: AppStage,
  found: string | null,
  log: DecisionCollector,
): string | null {
  if (merged.healthcheckPath !== undefined)
    log.decide(
      'healthcheck',
      merged.healthcheckPath,
      'set by healthcheck-path',
      overrideSources.healthcheckPath,
    );
  return merged.healthcheckPath ?? found;
}

/** Dependency groups the project declares (PEP 735, Poetry, PDM dev groups, uv dev-dependencies). */
function groupNamesOf(appPy: PyProject | null): Set<string> {
  const out = new Set<string>();
  for (const g of Object.keys(appPy?.dependencyGroups ?? {})) out.add(normalizeName(g));
  for (const g of Object.keys(appPy?.poetry?.group ?? {})) out.add(normalizeName(g));
  for (const g of Object.keys(appPy?.pdm?.['dev-dependencies'] ?? {})) out.add(normalizeName(g));
  if (appPy?.uv?.['dev-dependencies']) out.add('dev');
  return out;
}

/**
 * Which requested names are dependency groups rather than extras (the install flags differ), with
 * the `extras` decision.
 */
export function requestedGroups(
  { appPy, overrideSources }: AppStage,
  extras: string[],
  log: DecisionCollector,
): string[] {
  const groupNames = groupNamesOf(appPy);
  const groups = extras.filter((e) => groupNames.has(normalizeName(e)));
  if (extras.length)
    log.decide(
      'extras',
      extras.join(' '),
      groups.length
        ? `installed besides the main dependencies (${groups.join(', ')} ${groups.length === 1 ? 'is a dependency group' : 'are dependency groups'})`
        : 'installed besides the main dependencies',
      overrideSources.extras,
    );
  return groups;
}
