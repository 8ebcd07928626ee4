/**
 * The image labels a generated Dockerfile sets (io.pycontain.*): the one list that render writes,
 * verify reads (to check an image without its project) and analyze reports.
 */
import type { Plan } from './plan.js';

export const IMAGE_LABELS = {
  packageManager: 'io.pycontain.package-manager',
  framework: 'io.pycontain.framework',
  importChecks: 'io.pycontain.import-checks',
  port: 'io.pycontain.port',
  healthcheckPath: 'io.pycontain.healthcheck-path',
} as const;

export type ImageLabelKey = keyof typeof IMAGE_LABELS;

/** The labels of the plan's image, in the order the Dockerfile writes them; empty values are left out. */
export function planLabels(plan: Plan): [string, string][] {
  const values: Record<ImageLabelKey, string | null> = {
    packageManager: plan.packageManager,
    framework: plan.framework,
    importChecks: plan.importChecks?.length ? plan.importChecks.join(',') : null,
    port: plan.port !== null ? String(plan.port) : null,
    healthcheckPath: plan.healthcheckPath || null,
  };
  const out: [string, string][] = [];
  for (const key of Object.keys(IMAGE_LABELS) as ImageLabelKey[]) {
    const v = values[key];
    if (v !== null) out.push([IMAGE_LABELS[key], v]);
  }
  return out;
}

/** The pycontain labels found on an image (from its config), by key; null when it has none. */
export function readImageLabels(
  labels: Record<string, string> | null | undefined,
): Partial<Record<ImageLabelKey, string>> | null {
  const out: Partial<Record<ImageLabelKey, string>> = {};
  for (const key of Object.keys(IMAGE_LABELS) as ImageLabelKey[]) {
    const v = labels?.[IMAGE_LABELS[key]];
    if (v !== undefined) out[key] = v;
  }
  return Object.keys(out).length ? out : null;
}
