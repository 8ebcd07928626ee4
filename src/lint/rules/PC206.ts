import { commandsOf, envValue, hasFlag, PIP_OPTS_WITH_VALUE, pipInstalls, positionals } from '../helpers.js';
import type { Inst } from '../model.js';
import { baseName } from '../shell.js';
import type { Rule } from '../types.js';

const TOOLING = /^(pip|setuptools|wheel)([=<>!~].*)?$/i;

function inVenv(inst: Inst, call: ReturnType<typeof pipInstalls>[number]): boolean {
  const exe = call.argv[0]!.value;
  if (exe.includes('/') && !/^\/usr\/(local\/)?bin\//.test(exe)) return true;
  if (envValue(call, 'VIRTUAL_ENV')) return true;
  const path = envValue(call, 'PATH') ?? '';
  if (/venv|virtualenv|\/opt\/[^:]+\/bin/.test(path)) return true;
  for (const { argv } of commandsOf(inst)) {
    if (argv[0] === call.argv[0]) break;
    const n = baseName(argv[0]);
    if ((n === '.' || n === 'source') && /activate$/.test(argv[1]?.value ?? '')) return true;
  }
  return false;
}

export const PC206: Rule = {
  id: 'PC206',
  name: 'pip-system-site-packages',
  severity: 'info',
  summary: 'The final stage `pip install`s into the system site-packages: use a virtualenv',
  rationale:
    "Installing into the interpreter's own site-packages mixes the application's packages with the base image's " +
    '(pip, setuptools, Debian-managed modules), can break tools of the image, and leaves pip and the build tools in ' +
    'the final image. A virtualenv built in a builder stage and copied in is self-contained and easy to inspect.',
  fix: 'Create a virtualenv (`python -m venv /opt/venv`, `ENV PATH=/opt/venv/bin:$PATH`) in a builder stage and copy it into the final stage.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n',
      'FROM python:3.12-slim\nRUN uv pip install --system -r requirements.txt\n',
    ],
    good: [
      'FROM python:3.12-slim\nRUN python -m venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\nRUN pip install --no-cache-dir -r requirements.txt\n',
      'FROM python:3.12-slim\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt\n',
      'FROM python:3.12-slim AS build\nRUN pip install --no-cache-dir -r requirements.txt\nFROM python:3.12-slim\n',
      'FROM python:3.12-slim\nRUN pip install --no-cache-dir --upgrade pip setuptools\n',
      'FROM python:3.12-slim\nRUN pip install --no-cache-dir --user -r requirements.txt\n',
    ],
  },
  check({ model, report }) {
    for (const s of model.finalChain) {
      for (const inst of s.instructions) {
        if (inst.keyword !== 'RUN') continue;
        for (const call of pipInstalls(inst, { uv: true })) {
          if (call.via === 'uv' && !hasFlag(call.rest, '--system')) continue;
          if (hasFlag(call.rest, '--user', '--target', '-t', '--prefix', '--root', '--dry-run')) continue;
          if (call.via === 'pip' && inVenv(inst, call)) continue;
          const pos = positionals(call.rest, PIP_OPTS_WITH_VALUE);
          if (
            !hasFlag(call.rest, '-r', '--requirement') &&
            pos.length > 0 &&
            pos.every((w) => TOOLING.test(w.value))
          )
            continue;
          report({
            start: call.argv[0]!.start,
            end: call.argv[call.sub]!.end,
            message: 'installs into the system site-packages of the final image instead of a virtualenv',
          });
        }
      }
    }
  },
};
