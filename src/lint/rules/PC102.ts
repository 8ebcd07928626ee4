// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the cases are Dockerfiles, whose ${VAR} is not JavaScript
import { isPythonImage } from '../model.js';
import type { Rule } from '../types.js';

export const PC102: Rule = {
  id: 'PC102',
  name: 'floating-base-tag',
  severity: 'warning',
  summary: 'Pin base images to a precise tag (`python:3.12-slim`), never `latest`, no tag, or `python:3`',
  rationale:
    'A missing tag means `latest`. Tags like `python:3`, `python:slim` or `python:3-slim` move to the next Python ' +
    'minor release when it comes out: the same Dockerfile then builds with another interpreter, wheels stop fitting ' +
    'and the virtualenv copied between stages breaks. A `major.minor` tag (or a digest) keeps builds reproducible. ' +
    'Tags coming from `ARG` defaults are resolved before judging.',
  fix: 'Use `python:X.Y-slim-<debian>` (for example `python:3.12-slim-trixie`), optionally with `@sha256:` digest.',
  cases: {
    bad: [
      'FROM python\n',
      'FROM python:latest\n',
      'FROM python:3-slim\n',
      'FROM python:slim\n',
      'ARG PYTHON_VERSION=3\nFROM python:${PYTHON_VERSION}-slim\n',
      'FROM debian\n',
    ],
    good: [
      'FROM python:3.12-slim-bookworm\n',
      'FROM python:3.11.9-slim\n',
      'ARG PY=3.12\nFROM python:${PY}-slim\n',
      'FROM python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n',
      'FROM python:3.12-slim AS base\nFROM base\n',
      'FROM scratch\n',
      'ARG BASE\nFROM ${BASE}\n',
    ],
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      const img = stage.image;
      if (img.stage || img.scratch || img.digest || img.raw === '') continue;
      if (img.unresolved) continue;
      const via = img.raw !== img.resolved ? ` (resolved from '${img.raw}')` : '';
      if (img.tag === null) {
        report({
          start: img.start,
          end: img.end,
          message: `'${img.resolved}' has no tag, so it means 'latest'${via}`,
        });
      } else if (img.tag.toLowerCase() === 'latest') {
        report({
          start: img.start,
          end: img.end,
          message: `'${img.resolved}' uses the moving 'latest' tag${via}`,
        });
      } else if (isPythonImage(img) && !img.name.includes('distroless') && !/^\d+\.\d+/.test(img.tag)) {
        report({
          start: img.start,
          end: img.end,
          message: `'${img.resolved}' floats across Python minor releases${via}: pin major.minor, e.g. python:3.12-slim`,
        });
      }
    }
  },
};
