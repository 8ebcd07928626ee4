import path from 'node:path';
import { type Command, Option } from '@commander-js/extra-typings';
import pc from 'picocolors';
import { detectEngine } from '../../engine/driver.js';
import { InputError, type Plan } from '../../plan.js';
import { formatVerifyReport, verifyReportJson } from '../../report/verify.js';
import { verifyImage } from '../../verify/verify.js';
import { EXIT, runCommand } from '../errors.js';

const collect = (v: string, prev: string[]) => [...prev, v];

function parsePort(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InputError(`${flag}: ${v} is not a TCP port`);
    return n;
  };
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'Prove an image works: non-root, the app imports, dependencies consistent, native libraries present, no compilers or build tools, and the HTTP app answers.',
    )
    .argument('<image>', 'image name or id in the local engine')
    .option('--json', 'print the report as JSON', false)
    .addOption(
      new Option(
        '--engine <engine>',
        'container engine to use (default: PYCONTAIN_ENGINE, else docker, then podman)',
      ).choices(['docker', 'podman'] as const),
    )
    .option(
      '--dir <dir>',
      'project directory: take the modules to import, port and health path from its plan',
    )
    .option(
      '--port <n>',
      'container port of the HTTP app (default: plan, label, or EXPOSE)',
      parsePort('--port'),
    )
    .option(
      '--host-port <n>',
      'host port to publish it on 127.0.0.1 (default: a free one)',
      parsePort('--host-port'),
    )
    .option('--health <path>', 'HTTP path to poll (default: plan, HEALTHCHECK URL, or /)')
    .option(
      '--import <module>',
      'module that must import (repeatable; default: plan or image label)',
      collect,
      [] as string[],
    )
    .option('-e, --env <KEY=VALUE>', 'environment for the containers (repeatable)', collect, [] as string[])
    .option('--timeout <seconds>', 'how long the app may take to answer', '60')
    .option('--no-http', 'do not start the app (static checks only)')
    .option('--allow-tools', 'accept pip/setuptools/poetry in the runtime venv', false)
    .action(async (image, opts) => {
      await runCommand(async () => {
        const timeout = Number(opts.timeout);
        if (!Number.isFinite(timeout) || timeout <= 0)
          throw new InputError(`--timeout: ${opts.timeout} is not a number of seconds`);
        let plan: Plan | null = null;
        if (opts.dir) {
          const { detectPlan } = await import('../../engine/project.js');
          plan = await detectPlan(path.resolve(opts.dir));
        }
        const engine = await detectEngine(opts.engine ? { prefer: opts.engine } : {});
        const report = await verifyImage({
          engine,
          image,
          plan,
          importChecks: opts.import.length ? opts.import : undefined,
          port: opts.port ?? null,
          hostPort: opts.hostPort,
          healthPath: opts.health ?? null,
          env: opts.env,
          noHttp: opts.http === false,
          allowTools: opts.allowTools,
          startTimeoutMs: timeout * 1000,
          log: opts.json ? undefined : (l) => process.stderr.write(`${pc.dim(l)}\n`),
        });
        if (opts.json) process.stdout.write(verifyReportJson(report));
        else
          process.stdout.write(
            formatVerifyReport(report, { color: !!process.stdout.isTTY && !process.env.NO_COLOR }),
          );
        return report.ok ? EXIT.ok : EXIT.failed;
      });
    });
}
