import { aptCalls, commandsOf, positionals } from '../helpers.js';
import { baseName, type Word } from '../shell.js';
import type { Rule } from '../types.js';

const BUILD_TOOL =
  /^(gcc|g\+\+|cpp|cc|make|cmake|clang|build-essential|build-base|autoconf|automake|libtool|pkg-config|pkgconf|gfortran|cargo|rustc|musl-dev|linux-headers)(-[\d.]+)?$|-dev$|-devel$/;

const APT_OPTS = new Set(['-o', '-t', '--target-release', '-c', '--config-file']);

export const PC109: Rule = {
  id: 'PC109',
  name: 'build-tools-in-final-stage',
  severity: 'warning',
  summary:
    'Compilers, `build-essential` and `-dev` packages belong in a builder stage, not in the final image',
  rationale:
    'A C toolchain and header packages add 200-300 MB and hundreds of packages (and their CVEs) to the image, and ' +
    'are only needed to build wheels from source. Build them in a builder stage, copy the virtualenv, and install ' +
    'only the shared libraries (`libpq5`, not `libpq-dev`) in the final stage.',
  fix: 'Move the build dependencies to a builder stage; in the final stage install only runtime libraries.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && rm -rf /var/lib/apt/lists/*\n',
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y build-essential\n',
      'FROM python:3.12-alpine\nRUN apk add --no-cache gcc musl-dev\n',
    ],
    good: [
      'FROM python:3.12-slim AS build\nRUN apt-get update && apt-get install -y gcc libpq-dev\nFROM python:3.12-slim\nRUN apt-get update && apt-get install -y libpq5\n',
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc && pip install --no-cache-dir x && apt-get purge -y gcc\n',
      'FROM python:3.12-slim\nRUN buildDeps="gcc libpq-dev" && apt-get update && apt-get install -y $buildDeps gcc && pip install --no-cache-dir x && apt-get purge -y --auto-remove $buildDeps gcc\n',
      'FROM python:3.12-alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install x && apk del .build-deps\n',
    ],
  },
  check({ model, report }) {
    for (const s of model.finalChain) {
      for (const inst of s.instructions) {
        if (inst.keyword !== 'RUN') continue;
        const removed = new Set<string>();
        let virtualRemoved = false;
        // A purge of `$buildDeps` or `--auto-remove` after `apt-mark` cannot be resolved here: trust it.
        let removesAll = false;
        for (const c of aptCalls(inst, ['purge', 'remove', 'autoremove']))
          for (const w of c.rest) {
            removed.add(w.value);
            if (w.value.includes('$')) removesAll = true;
          }
        const installed: Word[] = [];
        let virtualName: string | null = null;
        for (const c of aptCalls(inst, ['install'])) installed.push(...positionals(c.rest, APT_OPTS));
        for (const { argv } of commandsOf(inst)) {
          if (baseName(argv[0]) !== 'apk') continue;
          const sub = argv[1]?.value;
          if (sub === 'add') {
            const vi = argv.findIndex((w) => w.value === '--virtual' || w.value === '-t');
            if (vi > 0) {
              virtualName = argv[vi + 1]?.value ?? null;
              continue;
            }
            installed.push(...argv.slice(2).filter((w) => !w.value.startsWith('-')));
          } else if (sub === 'del') {
            for (const w of argv.slice(2)) {
              removed.add(w.value);
              if (w.value === virtualName) virtualRemoved = true;
            }
          }
        }
        void virtualRemoved;
        if (removesAll) continue;
        for (const w of installed) {
          const pkg = w.value.split('=')[0]!;
          if (!BUILD_TOOL.test(pkg) || removed.has(pkg)) continue;
          report({
            start: w.start,
            end: w.end,
            message: `'${pkg}' is a build tool installed in the final image`,
          });
        }
      }
    }
  },
};
