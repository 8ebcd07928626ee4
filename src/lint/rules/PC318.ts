// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the cases are Dockerfiles, whose ${VAR} is not JavaScript
import { isSensitiveName } from '../support/secrets.js';
import type { Rule } from '../types.js';

export const PC318: Rule = {
  id: 'PC318',
  name: 'secret-in-arg',
  severity: 'warning',
  summary: 'A build argument (or builder-stage ENV) with a secret name: use a BuildKit secret mount',
  rationale:
    'Build argument values are recorded in the image history (`docker history`) of any RUN that uses them and in ' +
    'the build cache; ENV of a builder stage is in its layers and cache. BuildKit secret mounts are made for ' +
    'index tokens and passwords needed at build time: they are never stored.',
  fix: 'Replace `ARG PIP_TOKEN` with `RUN --mount=type=secret,id=pip_token,env=PIP_TOKEN ...` and `docker build --secret id=pip_token,env=PIP_TOKEN`.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nARG GITHUB_TOKEN\nRUN pip install --no-cache-dir git+https://${GITHUB_TOKEN}@github.com/org/lib.git\n',
      'FROM python:3.12-slim AS build\nENV PIP_PASSWORD=x\nFROM python:3.12-slim\n',
    ],
    good: [
      'FROM python:3.12-slim\nARG PYTHON_VERSION=3.12\n',
      'FROM python:3.12-slim\nARG TOKEN_URL=https://auth.example.com/token\n',
    ],
  },
  check({ model, report }) {
    const finalStages = new Set(model.finalChain);
    for (const inst of model.instructions) {
      const isArg = inst.keyword === 'ARG';
      const builderEnv = inst.keyword === 'ENV' && inst.stage !== null && !finalStages.has(inst.stage);
      if (!isArg && !builderEnv) continue;
      for (const p of inst.props) {
        if (!isSensitiveName(p.name)) continue;
        if (builderEnv && !p.value) continue;
        report({
          start: p.start,
          end: p.end,
          message: isArg
            ? `build argument ${p.name} looks like a secret: its value lands in the image history`
            : `ENV ${p.name} of a builder stage keeps a secret in its layers and cache`,
        });
      }
    }
  },
};
