import { copyFrom, copyParts } from '../helpers.js';
import type { Rule } from '../types.js';

const DOTENV = /(^|\/)(\.env(\.[\w-]+)*|[\w.-]+\.env)$/;
const TEMPLATE = /\.(example|sample|template|dist|defaults?)$|\.(example|sample|template)\.env$/;

export const PC317: Rule = {
  id: 'PC317',
  name: 'dotenv-copied',
  severity: 'error',
  summary: 'Do not copy `.env` files into the image',
  rationale:
    '`.env` files hold the local configuration of a developer or a server: database passwords, API keys. Copied ' +
    'into an image they are readable by anyone who pulls it, forever. Configuration belongs in the environment of ' +
    'the running container.',
  fix: 'Remove the COPY, add `.env` and `.env.*` to `.dockerignore`, and pass settings with `docker run --env-file` or your orchestrator.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nCOPY .env /app/.env\n',
      'FROM python:3.12-slim\nCOPY app/ .env.production /app/\n',
    ],
    good: [
      'FROM python:3.12-slim\nCOPY .env.example /app/.env.example\n',
      'FROM python:3.12-slim\nCOPY app/ /app/\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if ((inst.keyword !== 'COPY' && inst.keyword !== 'ADD') || copyFrom(inst)) continue;
      for (const s of copyParts(inst).sources) {
        if (DOTENV.test(s.value) && !TEMPLATE.test(s.value))
          report({
            start: s.start,
            end: s.end,
            message: `'${s.value}' copies an environment file (secrets) into the image`,
          });
      }
    }
  },
};
