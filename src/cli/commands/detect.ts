import type { Command } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { InputError, type Overrides } from '../../plan.js';
import { detectProject } from '../../project/detect.js';
import { formatDetectJson, formatDetectReport } from '../../report/detect.js';
import { EXIT, runCommand } from '../errors.js';

export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description(
      'Read a Python project and explain what pycontain would build: Python version, package manager, framework, command, system packages.',
    )
    .argument('[dir]', 'project directory', '.')
    .option('--json', 'print the plan as JSON', false)
    .option('--python <X.Y>', 'use this Python version')
    .option('--app-dir <path>', 'the Python app inside a monorepo, relative to DIR')
    .option('--base-image <image>', 'base image of both stages (a mirror, a private registry, a digest pin)')
    .option('--debian <codename>', 'Debian release of the base images, when the tag does not name it')
    .action(async (dir, opts) => {
      await runCommand(
        async () => {
          const overrides: Overrides = {};
          if (opts.python !== undefined) {
            if (!/^\d+\.\d+(\.\d+)?$/.test(opts.python))
              throw new InputError(`--python: "${opts.python}" is not a version like 3.12`);
            overrides.pythonVersion = opts.python;
          }
          if (opts.appDir !== undefined) overrides.appDir = opts.appDir;
          if (opts.baseImage !== undefined) overrides.baseImage = opts.baseImage;
          if (opts.debian !== undefined) overrides.debian = opts.debian;
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
