import { type ImageRef, isPythonImage, rootImage } from '../model.js';
import type { Rule } from '../types.js';

/** Python minor of an image, from its tag (python:3.12-slim) or the distroless Debian release. */
export function pythonMinorOf(img: ImageRef): string | null {
  const n = img.name.toLowerCase();
  if (n.includes('distroless') && n.includes('python3')) {
    if (n.endsWith('debian12')) return '3.11';
    if (n.endsWith('debian13')) return '3.13';
    if (n.endsWith('debian11')) return '3.9';
    return null;
  }
  if (!isPythonImage(img) || !img.tag) return null;
  const m = /^(\d+)\.(\d+)/.exec(img.tag);
  return m ? `${m[1]}.${m[2]}` : null;
}

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
