// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the cases are Dockerfiles, whose ${VAR} is not JavaScript
import { rootImage } from '../model.js';
import type { Rule } from '../types.js';

/** Bases whose default user is already not root. */
const NON_ROOT_BASES: RegExp[] = [
  /(^|\/)distroless\/.*/,
  /^cgr\.dev\/chainguard\//,
  /(^|\/)jupyter\//,
  /^bitnami\//,
  /(^|\/)wolfi-base$/,
];

function baseRunsNonRoot(name: string, tag: string | null): boolean {
  const n = name.toLowerCase();
  if (n.includes('distroless')) return (tag ?? '').includes('nonroot');
  return NON_ROOT_BASES.some((r) => r.test(n));
}

export const PC104: Rule = {
  id: 'PC104',
  name: 'final-stage-root',
  severity: 'warning',
  summary: 'The final stage runs as root: add a non-root `USER`',
  rationale:
    'Without a `USER`, the application runs as root inside the container. Any code execution bug then has root ' +
    "rights over the container's filesystem and a shorter path to the host (mounted volumes, kernel bugs). " +
    'Kubernetes `runAsNonRoot` also refuses such images. Only the last stage matters: builder stages may run as root. ' +
    'Bases that already default to a non-root user (distroless `:nonroot`, Chainguard, Jupyter, Bitnami) pass.',
  fix: 'Create a user with a fixed numeric id in the final stage and switch to it: `RUN useradd --uid 10001 --no-create-home app` then `USER 10001`.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nCMD ["python", "app.py"]\n',
      'FROM python:3.12-slim\nUSER app\nUSER root\nCMD ["python", "app.py"]\n',
      'FROM python:3.12-slim AS build\nUSER 1000\nFROM python:3.12-slim\nCMD ["python"]\n',
      'FROM python:3.12-slim\nUSER 0:0\n',
    ],
    good: [
      'FROM python:3.12-slim\nRUN useradd -u 10001 app\nUSER 10001\n',
      'FROM python:3.12-slim AS base\nUSER app\nFROM base\nCMD ["python"]\n',
      'FROM python:3.12-slim AS build\nFROM gcr.io/distroless/python3-debian12:nonroot\n',
      'ARG UID=10001\nFROM python:3.12-slim\nARG UID\nUSER ${UID}\n',
    ],
  },
  check({ model, report }) {
    const final = model.final;
    if (!final) return;
    const user = final.user;
    if (user === null) {
      const img = rootImage(final);
      if (img.scratch || baseRunsNonRoot(img.name, img.tag)) return;
      report({
        start: final.from.start,
        end: final.from.keywordEnd,
        message: 'the final stage sets no USER, so the container runs as root',
      });
      return;
    }
    const name = user.split(':')[0]!.trim();
    if ((name === 'root' || name === '0') && final.userInst) {
      report({
        start: final.userInst.start,
        end: final.userInst.end,
        message: `the final stage runs as '${user}'`,
      });
    }
  },
};
