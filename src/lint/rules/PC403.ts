import { aptCalls, commandsOf, copyFrom, copyParts, positionals } from '../helpers.js';
import { isDistroless, rootImage, type Stage, stageByRef } from '../model.js';
import { baseName } from '../shell.js';
import type { Rule } from '../types.js';

const stem = (p: string): string =>
  p
    .replace(/:\w+$/, '')
    .replace(/-dev$/, '')
    .replace(/[\d.]+$/, '')
    .replace(/-$/, '');

export const PC403: Rule = {
  id: 'PC403',
  name: 'native-runtime-lib-missing',
  severity: 'error',
  project: true,
  summary: 'A native dependency of the project needs a shared library the final stage does not install',
  rationale:
    'Packages such as psycopg2, mysqlclient, lxml or numpy built from source link against system libraries ' +
    '(`libpq.so.5`, `libmariadb.so.3`, `libxml2.so.2`, `libblas.so.3`). The builder stage has them through the ' +
    '`-dev` packages; a slim final stage does not, and the application dies at import with ' +
    '`ImportError: libpq.so.5: cannot open shared object file`.',
  fix: 'Install the runtime package in the final stage, e.g. `apt-get install -y --no-install-recommends libpq5`.',
  caseProject: {
    files: { 'requirements.txt': 'psycopg2==2.9.9\n' },
    plan: {
      packageManager: 'pip',
      native: [
        {
          package: 'psycopg2',
          version: '2.9.9',
          build: ['gcc', 'libpq-dev'],
          runtime: ['libpq5'],
          sonames: ['libpq.so.5'],
          reason: 'sdist only',
        },
      ],
    },
  },
  cases: {
    bad: [
      'FROM python:3.12-slim AS build\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && rm -rf /var/lib/apt/lists/*\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=build /opt/venv /opt/venv\n',
    ],
    good: [
      'FROM debian:bookworm-slim AS build\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && mkdir /opt/rt && cp -a --parents /usr/lib/x86_64-linux-gnu/libpq.so.5* /opt/rt/\nFROM gcr.io/distroless/python3-debian12\nCOPY --from=build /opt/rt/ /\n',
      'FROM python:3.12-slim AS build\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt\nFROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\nCOPY --from=build /opt/venv /opt/venv\n',
      'FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt\n',
    ],
  },
  check({ model, project, report }) {
    const plan = project?.plan;
    const final = model.final;
    if (!plan || !final || plan.native.length === 0) return;
    const img = rootImage(final);
    // Full (non-slim) python images derive from buildpack-deps and carry most -dev libraries.
    const tag = img.tag ?? '';
    if (
      !isDistroless(img) &&
      /^python/.test(img.name.slice(img.name.lastIndexOf('/') + 1)) &&
      !/slim|alpine/.test(tag)
    )
      return;
    if (!/slim|alpine|distroless/.test(`${img.name}:${tag}`) && !/(^|\/)(debian|ubuntu)$/.test(img.name))
      return;
    const installed = new Set<string>();
    // Stages whose installed packages count: the final chain, and stages whose files are copied over the
    // root or a library directory (how a distroless runtime gets shared libraries staged in a builder).
    const sources = new Set(model.finalChain);
    for (const s of model.finalChain)
      for (const i of s.instructions) {
        const from = i.keyword === 'COPY' ? copyFrom(i) : null;
        const src = from ? stageByRef(model, from) : null;
        const dest = copyParts(i).dest ?? '';
        if (src && /^\/(usr\/)?(lib|lib64)?(\/|$)/.test(dest))
          for (let t: Stage | null = src; t; t = t.parent) sources.add(t);
      }
    for (const s of sources)
      for (const i of s.instructions) {
        if (i.keyword !== 'RUN') continue;
        for (const c of aptCalls(i, ['install']))
          for (const w of positionals(c.rest, new Set(['-o', '-t']))) installed.add(w.value.split('=')[0]!);
        for (const { argv } of commandsOf(i))
          if (baseName(argv[0]) === 'apk') for (const w of argv.slice(2)) installed.add(w.value);
      }
    const stems = new Set([...installed].map(stem));
    for (const need of plan.native) {
      const missing = need.runtime.filter((p) => !installed.has(p) && !stems.has(stem(p)));
      if (missing.length === 0) continue;
      report({
        start: final.from.start,
        end: final.from.end,
        message: `${need.package} needs ${missing.join(', ')} at run time (${need.sonames.join(', ') || 'shared libraries'}), which the final stage does not install`,
      });
    }
  },
};
