import { aptCalls, commandsOf, hasCacheMount } from '../helpers.js';
import { baseName } from '../shell.js';
import type { Rule } from '../types.js';

export const PC304: Rule = {
  id: 'PC304',
  name: 'apt-lists-kept',
  severity: 'warning',
  summary: 'Remove `/var/lib/apt/lists/*` in the RUN that installs packages',
  rationale:
    'The package lists fetched by `apt-get update` weigh 20-50 MB and are useless at run time. Deleting them in a ' +
    'later RUN does not help: the earlier layer keeps them. Builder stages that do not reach the final image are exempt, ' +
    'and so is a BuildKit cache or tmpfs mount on `/var/lib/apt`.',
  fix: 'End the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount `/var/lib/apt` and `/var/cache/apt` as caches.',
  cases: {
    bad: ['FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5\n'],
    good: [
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n',
      'FROM python:3.12-slim\nRUN --mount=type=cache,target=/var/lib/apt,sharing=locked --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y --no-install-recommends libpq5\n',
      'FROM python:3.12-slim AS build\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\nFROM python:3.12-slim\n',
    ],
  },
  check({ model, report }) {
    for (const s of model.finalChain) {
      for (const inst of s.instructions) {
        if (inst.keyword !== 'RUN') continue;
        const installs = aptCalls(inst, ['install']);
        if (installs.length === 0) continue;
        if (hasCacheMount(inst, (t) => /^\/var\/lib\/apt(\/lists)?\/?$/.test(t))) continue;
        const cleaned = commandsOf(inst).some(
          ({ argv }) =>
            baseName(argv[0]) === 'rm' && argv.some((w) => w.value.startsWith('/var/lib/apt/lists')),
        );
        if (cleaned) continue;
        const c = installs[0]!;
        report({
          start: c.argv[0]!.start,
          end: c.argv[c.sub]!.end,
          message: 'the apt package lists stay in this layer: add && rm -rf /var/lib/apt/lists/*',
        });
      }
    }
  },
};
