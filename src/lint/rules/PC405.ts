import { copyFrom, copyParts, isWholeContext } from '../helpers.js';
import type { Rule } from '../types.js';

const CANDIDATES = ['.git', '.venv', 'venv', '.env'];

export const PC405: Rule = {
  id: 'PC405',
  name: 'dockerignore-missing-entries',
  severity: 'warning',
  project: true,
  summary: 'The build copies the whole context, but .dockerignore does not exclude `.git`, `.venv` or `.env`',
  rationale:
    '`COPY . .` sends everything that .dockerignore does not exclude. A local `.venv` (hundreds of MB, built for ' +
    'the host, not the image) overwrites or pollutes the image, `.git` leaks history and busts the cache on every ' +
    'commit, and `.env` leaks local secrets.',
  fix: 'Add `.git`, `.venv`, `venv`, `.env` and `.env.*` to .dockerignore (`pycontain init` writes a complete one).',
  caseProject: {
    files: {
      'requirements.txt': 'flask==3.0.0\n',
      '.env': 'SECRET=1\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
    },
    plan: { packageManager: 'pip' },
  },
  cases: {
    bad: [
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n',
    ],
    good: [
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY app/ app/\n',
    ],
  },
  check({ model, project, report }) {
    if (!project) return;
    for (const s of model.stages) {
      if (!s.used) continue;
      for (const inst of s.instructions) {
        if ((inst.keyword !== 'COPY' && inst.keyword !== 'ADD') || copyFrom(inst)) continue;
        const whole = copyParts(inst).sources.find((x) => isWholeContext(x.value));
        if (!whole) continue;
        const leaked = CANDIDATES.filter(
          (c) => project.exists(c) && !project.dockerignore?.excluded(c, project.isDir(c)),
        );
        if (leaked.length === 0) continue;
        report({
          start: whole.start,
          end: whole.end,
          message: `${project.dockerignore ? '.dockerignore does not exclude' : 'no .dockerignore: the context includes'} ${leaked.join(', ')}`,
        });
      }
    }
  },
};
