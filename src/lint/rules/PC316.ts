import { CREDENTIAL_VALUE, isSensitiveName } from '../support/secrets.js';
import type { Rule } from '../types.js';

export const PC316: Rule = {
  id: 'PC316',
  name: 'secret-in-env',
  severity: 'error',
  summary: 'A secret is baked into the image (ENV with a secret name, or a literal credential)',
  rationale:
    'ENV values are stored in the image configuration: anyone who can pull the image reads them with ' +
    '`docker inspect`, and deleting them later does not remove them from earlier layers. The same holds for a ' +
    'literal AWS key or a `https://user:password@` index URL written anywhere in the Dockerfile.',
  fix: 'Pass secrets at run time (environment, mounted files) and at build time with `RUN --mount=type=secret,id=...`.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nENV DATABASE_PASSWORD=hunter2\n',
      'FROM python:3.12-slim\nENV AWS_SECRET_ACCESS_KEY=abc123\n',
      'FROM python:3.12-slim\nRUN pip install --no-cache-dir --index-url https://deploy:s3cr3t@pypi.example.com/simple app\n',
      'FROM python:3.12-slim AS build\nARG KEY_ID=AKIAIOSFODNN7EXAMPLE\n',
    ],
    good: [
      'FROM python:3.12-slim\nENV DATABASE_PASSWORD_FILE=/run/secrets/db\n',
      'FROM python:3.12-slim\nENV TOKENIZERS_PARALLELISM=false MAX_TOKENS=512 PASSWORD_RESET_TIMEOUT=3600\n',
      'FROM python:3.12-slim\nRUN --mount=type=secret,id=pip-index,env=PIP_INDEX_URL pip install --no-cache-dir app\n',
      'FROM python:3.12-slim\nENV SECRET_KEY=\n',
      'FROM python:3.12-slim AS build\nENV API_TOKEN=x\nFROM python:3.12-slim\n',
    ],
  },
  check({ model, report }) {
    const finalStages = new Set(model.finalChain);
    for (const inst of model.instructions) {
      if (inst.keyword === 'ENV' && inst.stage && finalStages.has(inst.stage)) {
        for (const p of inst.props) {
          if (isSensitiveName(p.name) && p.value) {
            report({
              start: p.start,
              end: p.end,
              message: `ENV ${p.name} stores a secret in the image configuration`,
            });
            continue;
          }
          if (p.value && CREDENTIAL_VALUE.test(p.value))
            report({ start: p.start, end: p.end, message: `ENV ${p.name} contains a credential` });
        }
        continue;
      }
      if (inst.keyword === 'ENV') continue;
      const text = model.text.slice(inst.start, inst.end);
      const m = CREDENTIAL_VALUE.exec(text);
      if (m) {
        const at = inst.start + m.index;
        report({
          start: at,
          end: at + m[0].length,
          message: 'a literal credential is written in the Dockerfile',
        });
      }
    }
  },
};
