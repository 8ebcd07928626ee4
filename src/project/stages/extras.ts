import { runtimeExtras } from '../runtime-extras.js';
import type { AppStage } from './app.js';
import type { DecisionCollector } from './collector.js';
import type { ManifestStage } from './manifests.js';

/**
 * Stage 4 (first step): the extras and groups to install. The requested ones, plus an unrequested
 * extra holding the database driver the code connects with (runtime-extras.ts); when the user
 * listed the extras themselves, that extra is a warning (extra-needed) instead.
 */
export async function chooseExtras(
  app: AppStage,
  files: ManifestStage,
  log: DecisionCollector,
): Promise<string[]> {
  const requested = app.merged.extras;
  const rx = await runtimeExtras({
    root: app.root,
    appDir: app.appDir,
    pyproject: app.appPy ?? null,
    setupMeta: files.setupMeta,
    ...(requested ? { requested } : {}),
  });
  log.absorb(rx);
  return [...(requested ?? []), ...rx.add];
}
