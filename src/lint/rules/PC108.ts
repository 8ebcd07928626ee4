import { chainInstructions, isPythonImage, rootImage } from '../model.js';
import { finalRunsPython } from '../support/python-final.js';
import type { Rule } from '../types.js';

export const PC108: Rule = {
  id: 'PC108',
  name: 'missing-pythonunbuffered',
  severity: 'warning',
  summary: 'Set `PYTHONUNBUFFERED=1` in the final stage',
  rationale:
    'When stdout is not a terminal, Python buffers it: log lines of a container appear late, out of order with ' +
    'stderr, or never when the process is killed. `PYTHONUNBUFFERED=1` makes logs reach `docker logs` and the log ' +
    'collector as they are written.',
  fix: 'Add `ENV PYTHONUNBUFFERED=1` to the final stage (next to `PYTHONDONTWRITEBYTECODE=1`).',
  fixable: true,
  cases: {
    bad: [
      'FROM python:3.12-slim\nCMD ["python", "app.py"]\n',
      'FROM python:3.12-slim AS b\nFROM python:3.12-slim\nENV PYTHONDONTWRITEBYTECODE=1\n',
    ],
    good: [
      'FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1\nCMD ["python", "app.py"]\n',
      'FROM python:3.12-slim AS base\nENV PYTHONUNBUFFERED=1\nFROM base\n',
      'FROM python:3.12-slim AS build\nFROM nginx:1.27\nCOPY --from=build /app/static /usr/share/nginx/html\n',
    ],
  },
  check({ model, report }) {
    const final = model.final;
    if (!final) return;
    if (!isPythonImage(rootImage(final)) && !finalRunsPython(chainInstructions(final))) return;
    const v = final.env.get('PYTHONUNBUFFERED');
    if (v !== undefined && v !== null && v !== '') return;
    const nl = model.text.includes('\r\n') ? '\r\n' : '\n';
    const from = final.from;
    report({
      start: from.start,
      end: from.keywordEnd,
      message: 'the final stage does not set PYTHONUNBUFFERED=1: logs are buffered',
      fix: {
        description: 'add ENV PYTHONUNBUFFERED=1 after the final FROM',
        edits: [{ start: from.end, end: from.end, text: `${nl}ENV PYTHONUNBUFFERED=1` }],
      },
    });
  },
};
