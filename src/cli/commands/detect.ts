import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { detectProject } from '../../project/detect.js';
import { formatDetectJson, formatDetectReport } from '../../report/detect.js';
import { EXIT, runCommand } from '../errors.js';
import { addPlanOptions, overridesFromFlags, type PlanFlagValues } from '../plan-flags.js';

export function registerDetect(program: Command): void {
  const cmd = program
    .command('detect')
    .description(
      'Read a Python project and explain what pycontain would build: Python version, package manager, framework, command, system packages.',
    )
    .argument('[dir]', 'project directory', '.')
    .option('--json', 'print the plan as JSON', false);
  addPlanOptions(cmd).action(async (dir: string, opts: PlanFlagValues & { json: boolean }) => {
    await runCommand(
      async () => {
        const overrides = overridesFromFlags(opts);
        const plan = await detectProject(dir, overrides);
        if (opts.json) process.stdout.write(formatDetectJson(plan));
        else
          process.stdout.write(
            formatDetectReport(plan, {
              // Only on a terminal, and picocolors' own rules (NO_COLOR, TERM=dumb) still apply.
              color: Boolean(process.stdout.isTTY) && pc.isColorSupported,
              width: process.stdout.columns || 100,
              rootLabel: dir,
            }),
          );
        return EXIT.ok;
      },
      { projectDir: dir },
    );
  });
}
