import { rootImage } from '../model.js';
import { pythonMinorOf } from '../support/python-minor.js';
import type { Rule } from '../types.js';

export const PC401: Rule = {
  id: 'PC401',
  name: 'python-version-mismatch',
  severity: 'error',
  project: true,
  summary: "The base image's Python does not satisfy the project's `requires-python`",
  rationale:
    "When the interpreter of the image is outside the range the project declares (`requires-python`, or Poetry's " +
    '`python` dependency), installers refuse the project or resolve other versions than the lock, and code using ' +
    'newer syntax fails at import time.',
  fix: 'Use a base image whose Python minor version satisfies `requires-python` (or widen the range if the code really supports it).',
  caseProject: {
    files: {
      'pyproject.toml': '[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.11,<3.13"\n',
    },
  },
  cases: {
    bad: ['FROM python:3.10-slim\n', 'FROM python:3.12-slim AS build\nFROM python:3.13-slim\n'],
    good: [
      'FROM python:3.12-slim\n',
      'FROM python:3.11-slim AS build\nFROM gcr.io/distroless/python3-debian12\n',
      'FROM debian:bookworm-slim\n',
    ],
  },
  check({ model, project, report }) {
    const rp = project?.requiresPython;
    if (!rp) return;
    for (const s of model.stages) {
      if (!s.used || s.image.stage) continue;
      const img = rootImage(s);
      const minor = pythonMinorOf(img);
      if (!minor || rp.allows(minor)) continue;
      report({
        start: img.start,
        end: img.end,
        message: `'${img.resolved}' has Python ${minor}, but ${rp.file}:${rp.line} requires ${rp.spec}`,
      });
    }
  },
};
