import pc from 'picocolors';
import type { BuildResult } from '../engine/build.js';

/** One paragraph after a successful build: which image, how many steps came from the cache. */
export function formatBuildSummary(r: BuildResult, opts: { color?: boolean; label?: string } = {}): string {
  const c = pc.createColors(opts.color ?? false);
  const steps = r.state.steps();
  const cached = steps.filter((s) => s.cached);
  const lines = [
    `${c.green('built')} ${opts.label ? `${opts.label} ` : ''}${r.tags.length ? r.tags.join(', ') : ''} ${c.dim(r.imageId ?? '')}`.trim(),
    `  ${steps.length} steps, ${cached.length} from cache, ${(r.durationMs / 1000).toFixed(1)}s${r.loaded ? '' : ' (not loaded into the local engine)'}`,
  ];
  for (const w of r.state.warnings) lines.push(`  ${c.yellow('warning')} ${w.message}`);
  return `${lines.join('\n')}\n`;
}
