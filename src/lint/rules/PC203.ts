import { envValue, hasFlag, isTruthy, toolCalls } from '../helpers.js';
import type { Rule } from '../types.js';

export const PC203: Rule = {
  id: 'PC203',
  name: 'uv-sync-unlocked',
  severity: 'warning',
  summary: '`uv sync` without `--locked` (or `--frozen`) may re-resolve instead of installing the lock',
  rationale:
    'Plain `uv sync` updates uv.lock when it no longer matches pyproject.toml and installs whatever it resolves at ' +
    'build time. `--locked` fails the build on a stale lock, so the image has exactly what was locked and tested ' +
    '(`--frozen` installs the lock without checking that it matches pyproject.toml).',
  fix: 'Use `uv sync --locked --no-dev` (or set `ENV UV_LOCKED=1`).',
  cases: {
    bad: ['FROM python:3.12-slim\nRUN uv sync --no-dev\n'],
    good: [
      'FROM python:3.12-slim\nRUN uv sync --locked --no-dev\n',
      'FROM python:3.12-slim\nRUN uv sync --frozen --no-dev\n',
      'FROM python:3.12-slim\nENV UV_LOCKED=1\nRUN uv sync --no-dev\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN') continue;
      for (const c of toolCalls(inst, 'uv', ['sync'])) {
        if (hasFlag(c.rest, '--locked', '--frozen')) continue;
        if (isTruthy(envValue(c, 'UV_LOCKED')) || isTruthy(envValue(c, 'UV_FROZEN'))) continue;
        report({
          start: c.argv[0]!.start,
          end: c.argv[c.sub]!.end,
          message: 'uv sync without --locked can change the lock at build time',
        });
      }
    }
  },
};
