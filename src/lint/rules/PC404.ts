import { copyFrom, copyParts, isWholeContext } from '../helpers.js';
import type { Rule } from '../types.js';

export const PC404: Rule = {
  id: 'PC404',
  name: 'dockerignore-excludes-needed',
  severity: 'error',
  project: true,
  summary: '.dockerignore excludes a file the build copies or needs',
  rationale:
    'Files excluded by .dockerignore are not sent to the builder. A COPY of such a file fails with "not found", ' +
    'and worse, a file needed indirectly (the README named by `readme =` in pyproject.toml, which the build backend ' +
    'reads while installing the project) makes the install fail deep inside pip or Poetry. `*.md` in .dockerignore ' +
    'is the classic case.',
  fix: 'Remove the pattern, or re-include the file with a `!path` line after it.',
  caseProject: {
    files: {
      'pyproject.toml': '[project]\nname = "app"\nversion = "1.0"\nreadme = "README.md"\n',
      'README.md': '# app\n',
      '.dockerignore': '*.md\n.git\nconfig/\n',
      'config/settings.toml': 'x = 1\n',
    },
    plan: { packageManager: 'setuptools', installProject: true, manifests: ['pyproject.toml', 'README.md'] },
  },
  cases: {
    bad: [
      'FROM python:3.12-slim\nCOPY pyproject.toml README.md ./\nRUN pip install --no-cache-dir .\n',
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n',
      'FROM python:3.12-slim\nCOPY config/settings.toml /etc/app/\n',
    ],
    good: ['FROM python:3.12-slim\nCOPY pyproject.toml ./\nCOPY src/ src/\n'],
  },
  check({ model, project, report }) {
    const ign = project?.dockerignore;
    if (!project || !ign) return;
    const plan = project.plan;
    for (const s of model.stages) {
      if (!s.used) continue;
      for (const inst of s.instructions) {
        if ((inst.keyword !== 'COPY' && inst.keyword !== 'ADD') || copyFrom(inst) || inst.heredocs.length > 0)
          continue;
        for (const src of copyParts(inst).sources) {
          const v = src.value;
          if (/^[a-z]+:\/\//i.test(v) || v.includes('$')) continue;
          if (isWholeContext(v)) {
            if (!plan?.installProject) continue;
            const lost = plan.manifests.filter((m) => project.exists(m) && ign.excluded(m, false));
            if (lost.length > 0)
              report({
                start: src.start,
                end: src.end,
                message: `.dockerignore excludes ${lost.join(', ')}, which installing the project needs`,
              });
            continue;
          }
          if (/[*?[]/.test(v)) continue;
          const rel = v.replace(/^\.\//, '').replace(/\/+$/, '');
          if (rel === '' || rel.startsWith('/') || rel.startsWith('..')) continue;
          if (ign.excluded(rel, project.isDir(rel)))
            report({
              start: src.start,
              end: src.end,
              message: `'${v}' is excluded by .dockerignore, so this COPY fails`,
            });
        }
      }
    }
  },
};
