// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the cases are Dockerfiles, whose ${VAR} is not JavaScript
import { commandsOf, hasFlag, pipInstalls } from '../helpers.js';
import { isPythonImage, rootImage } from '../model.js';
import { baseName } from '../shell.js';
import type { Rule } from '../types.js';

export const PC101: Rule = {
  id: 'PC101',
  name: 'alpine-python',
  severity: 'warning',
  summary: 'Do not use an Alpine base image for Python',
  rationale:
    'Alpine uses musl libc. Most wheels on PyPI are built for glibc (manylinux), so on Alpine pip falls back to ' +
    'source builds of numpy, pandas, psycopg2, Pillow, cryptography: builds need compilers, take minutes instead of ' +
    'seconds, and the image often ends up larger than a Debian slim one. musl also differs in DNS resolution, ' +
    'thread stack size and locale support, which surface as run-time bugs.',
  fix: 'Use a Debian based slim image such as `python:3.12-slim-trixie`, with a multi-stage build to keep it small.',
  cases: {
    bad: [
      'FROM python:3.12-alpine\nRUN pip install --no-cache-dir flask\n',
      'ARG TAG=3.11-alpine3.19\nFROM python:${TAG}\n',
      'FROM alpine:3.20\nRUN apk add --no-cache python3 py3-pip\n',
    ],
    good: [
      'FROM python:3.12-slim-bookworm\n',
      'FROM alpine:3.20 AS certs\nRUN apk add --no-cache ca-certificates\nFROM python:3.12-slim\n',
    ],
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      if (stage.image.stage) continue;
      const img = rootImage(stage);
      const tag = (img.tag ?? '').toLowerCase();
      const seg = img.name.slice(img.name.lastIndexOf('/') + 1).toLowerCase();
      if (isPythonImage(img) && tag.includes('alpine')) {
        report({
          start: img.start,
          end: img.end,
          message: `'${img.resolved}' is an Alpine (musl) image: most Python wheels do not fit it; use a slim Debian tag`,
        });
        continue;
      }
      if (seg !== 'alpine' && !tag.includes('alpine')) continue;
      // A plain Alpine stage only matters when it runs Python.
      const python = stage.instructions.some(
        (i) =>
          pipInstalls(i, { uv: true }).length > 0 ||
          commandsOf(i).some(
            ({ argv }) =>
              baseName(argv[0]) === 'apk' &&
              argv.some((w) => /^(python3?|py3-.*)$/.test(w.value)) &&
              !hasFlag(argv, '--print-arch'),
          ),
      );
      if (python)
        report({
          start: img.start,
          end: img.end,
          message: `Python on Alpine ('${img.resolved}'): musl breaks most binary wheels; use a python slim image`,
        });
    }
  },
};
