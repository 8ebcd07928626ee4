import type { Rule } from '../types.js';

export const PC315: Rule = {
  id: 'PC315',
  name: 'maintainer-deprecated',
  severity: 'warning',
  summary: 'MAINTAINER is deprecated: use `LABEL org.opencontainers.image.authors=...`',
  rationale:
    'MAINTAINER was deprecated in Docker 1.13. A LABEL carries the same information in the standard OCI key that registries and scanners read.',
  fix: 'Replace `MAINTAINER Jane <jane@example.com>` with `LABEL org.opencontainers.image.authors="Jane <jane@example.com>"`.',
  fixable: true,
  cases: {
    bad: ['FROM python:3.12-slim\nMAINTAINER Jane Doe <jane@example.com>\n'],
    good: ['FROM python:3.12-slim\nLABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"\n'],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'MAINTAINER') continue;
      const first = inst.args[0];
      const last = inst.args[inst.args.length - 1];
      const oneLine = first && last && !model.text.slice(first.start, last.end).includes('\n');
      const raw = oneLine ? model.text.slice(first.start, last.end).replace(/^["'](.*)["']$/, '$1') : null;
      const value = raw?.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$');
      report({
        start: inst.start,
        end: inst.keywordEnd,
        message: 'MAINTAINER is deprecated',
        fix:
          value !== undefined
            ? {
                description: 'replace with LABEL org.opencontainers.image.authors',
                edits: [
                  {
                    start: inst.start,
                    end: inst.end,
                    text: `LABEL org.opencontainers.image.authors="${value}"`,
                  },
                ],
              }
            : undefined,
      });
    }
  },
};
