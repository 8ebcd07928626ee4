import path from 'node:path';
import { type Command, Option } from '@commander-js/extra-typings';
import type { AnalysisReport } from '../../image/analyze.js';
import { analyzeImageIsolated } from '../../image/analyze-worker.js';
import { type ImageSource, resolveSource } from '../../image/archive.js';
import { type Comparison, compareReports } from '../../image/compare.js';
import type { EngineKind } from '../../image/engine.js';
import { evaluateGates, type GateOptions, validateGates } from '../../image/gates.js';
import { InputError } from '../../plan.js';
import { renderAnalyzeText, renderComparisonText, renderGatesText } from '../../report/analyze.js';
import { renderAnalyzeHtml } from '../../report/html.js';
import { writeFileAtomic } from '../../util/fs.js';
import { EXIT, runCommand } from '../errors.js';

const collect = (v: string, prev: string[] = []): string[] => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

/**
 * An image name without an engine prefix is read from --engine, else PYCONTAIN_ENGINE, else the
 * engine build would use (docker when it answers, then podman), so that `analyze` finds what
 * `build` made.
 */
async function resolveEngineSource(arg: string, engine?: EngineKind): Promise<ImageSource> {
  const env = process.env.PYCONTAIN_ENGINE;
  const named = engine ?? (env === 'docker' || env === 'podman' ? env : undefined);
  const src = await resolveSource(arg, named);
  if (src.kind !== 'engine' || src.engine) return src;
  const { detectEngine } = await import('../../engine/driver.js');
  const found = await detectEngine();
  return { ...src, engine: found.kind === 'podman' ? 'podman' : 'docker' };
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description(
      'Show where the bytes go in a Python image: layers, exact waste by cause, Python distributions, native libraries, user',
    )
    .argument(
      '<image>',
      'image in the local engine (name:tag or id), a docker-archive tar (docker save), or an OCI layout directory; prefixes docker-archive:, oci:, docker:, podman: force the kind',
    )
    .option('--compare <other>', 'compare with another image (before → after: size, layers, distributions)')
    .option('--json', 'print the report as JSON')
    .option('--html <file>', 'write a self-contained HTML report with charts')
    .option('--max-size <size>', 'fail (exit 1) when the image content exceeds this size, e.g. 300MB')
    .option('--max-waste <size>', 'fail (exit 1) when waste exceeds this size (e.g. 20MB) or share (e.g. 5%)')
    .option(
      '--fail-on <ids>',
      'fail (exit 1) when any of these finding ids (comma-separated; docs/findings.md) or severities is present',
      collect,
    )
    .option('--platform <os/arch>', 'platform to pick from a multi-platform archive or layout')
    .addOption(
      new Option('--engine <engine>', 'engine to read local images from').choices([
        'docker',
        'podman',
      ] as const),
    )
    .option('--top <n>', 'distributions to list in the text report', '15')
    .option(
      '--no-verify-digests',
      'do not check layer blobs against their digests (faster on uncompressed archives you trust)',
    )
    .action(async (image, opts) => {
      await runCommand(async () => {
        const gateOpts: GateOptions = {};
        if (opts.maxSize !== undefined) gateOpts.maxSize = opts.maxSize;
        if (opts.maxWaste !== undefined) gateOpts.maxWaste = opts.maxWaste;
        if (opts.failOn) gateOpts.failOn = opts.failOn;
        validateGates(gateOpts);
        const top = Number(opts.top);
        if (!Number.isInteger(top) || top < 0) throw new InputError(`--top: not a count: ${opts.top}`);
        const loadOpts = {
          ...(opts.platform ? { platform: opts.platform } : {}),
          ...(opts.verifyDigests === false ? { verify: false } : {}),
        };
        const source = (arg: string) => resolveEngineSource(arg, opts.engine);
        const report = await analyzeImageIsolated(await source(image), loadOpts);
        let comparison: Comparison | undefined;
        if (opts.compare) {
          const other: AnalysisReport = await analyzeImageIsolated(await source(opts.compare), loadOpts);
          comparison = compareReports(other, report);
        }
        const gates = evaluateGates(report, gateOpts);
        if (opts.html) {
          await writeFileAtomic(path.resolve(opts.html), renderAnalyzeHtml(report, comparison, gates));
        }
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ report, comparison: comparison ?? null, gates }, null, 2)}\n`,
          );
        } else {
          const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
          let text = renderAnalyzeText(report, { color, top });
          if (comparison) text += renderComparisonText(comparison, { color });
          text += renderGatesText(gates, { color });
          if (opts.html) text += `\nHTML report: ${opts.html}\n`;
          process.stdout.write(text);
        }
        return gates.passed ? EXIT.ok : EXIT.failed;
      });
    });
}
