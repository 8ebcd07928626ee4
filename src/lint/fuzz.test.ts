// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile fragments
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { fixText, lintText } from './engine.js';
import { RULES } from './rules/index.js';
import { parseShell } from './shell.js';

// Every rule's cases are realistic seeds; fuzzing mutates and truncates them.
const SEEDS = RULES.flatMap((r) => [...r.cases.bad, ...r.cases.good]);
const FRAGMENTS = [
  'FROM ',
  'python:3.12-slim',
  ' AS ',
  'builder',
  '\n',
  'RUN ',
  'pip install ',
  '--no-cache-dir ',
  '-r requirements.txt',
  ' && ',
  ' || ',
  ' | ',
  ';',
  '\\\n',
  '`\n',
  '<<EOF\n',
  'EOF\n',
  '<<-"EOT" bash\n',
  '# escape=`\n',
  '# syntax=docker/dockerfile:1\n',
  'COPY ',
  '--from=builder ',
  '. .',
  'ARG ',
  'PY=3',
  '${PY}',
  '${PY:-3.12}',
  '$',
  '{',
  '}',
  'ENV ',
  'A="b c"',
  "'",
  '"',
  'USER ',
  'root',
  'WORKDIR ',
  'app',
  'CMD ',
  '["python", "-m", "app"]',
  '[',
  ']',
  'HEALTHCHECK ',
  'CMD ',
  'curl -f x',
  'EXPOSE ',
  '8000/tcp',
  '99999',
  'apt-get ',
  'update',
  'install ',
  '-y ',
  'libpq5',
  'poetry install',
  'uv sync',
  'pipenv install',
  '--mount=type=cache,target=/root/.cache/pip ',
  '--mount=',
  'ONBUILD ',
  'MAINTAINER x',
  'ADD ',
  'SHELL ["/bin/bash", "-c"]',
  '$(',
  ')',
  '(',
  '\t',
  '\r\n',
  ' ',
  '\uFEFF',
  '🐍',
  'é',
  '# pycontain ignore=PC103\n',
  '# pycontain ignore-file=all\n',
];

function lintSafely(text: string): void {
  try {
    const r = lintText(text, { file: 'fuzz' });
    expect(r.notes.filter((n) => n.includes('internal error'))).toEqual([]);
    const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
    for (const f of r.findings) {
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.line).toBeLessThanOrEqual(lines.length);
      expect(f.column).toBeGreaterThanOrEqual(1);
      expect(f.endLine).toBeGreaterThanOrEqual(f.line);
    }
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
  }
}

describe('fuzzing (no crash, no hang)', () => {
  it('random Dockerfile-like fragments', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 80 }), (parts) =>
        lintSafely(parts.join('')),
      ),
      { numRuns: 600 },
    );
  });
  it('truncated and spliced real Dockerfiles', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.nat(),
        fc.nat(),
        fc.constantFrom(...FRAGMENTS),
        (seed, a, b, frag) => {
          const i = a % (seed.length + 1);
          const j = b % (seed.length + 1);
          lintSafely(seed.slice(0, i));
          lintSafely(seed.slice(0, Math.min(i, j)) + frag + seed.slice(Math.max(i, j)));
        },
      ),
      { numRuns: 800 },
    );
  });
  it('arbitrary unicode and binary junk', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (s) => lintSafely(s)),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => lintSafely(new TextDecoder().decode(bytes))),
      { numRuns: 400 },
    );
  });
  it('--fix keeps producing parseable output and is stable', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), (seed) => {
        const once = fixText(seed).text;
        expect(fixText(once).text).toBe(once);
      }),
      { numRuns: 200 },
    );
  });
  it('the shell tokenizer keeps offsets inside the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        for (const c of parseShell(s))
          for (const w of [...c.argv, ...c.assignments, ...c.redirects]) {
            expect(w.start).toBeGreaterThanOrEqual(0);
            expect(w.end).toBeLessThanOrEqual(s.length + 1);
          }
      }),
      { numRuns: 1000 },
    );
  });
  it('a long file and deeply nested junk finish', () => {
    const big = `FROM python:3.12-slim\n${'RUN pip install a && apt-get install -y b | tee c \\\n  && cd d\n'.repeat(1000)}`;
    const r = lintText(big);
    expect(r.findings.length).toBeGreaterThan(1000);
    const deep = `FROM python:3.12-slim\nRUN ${'('.repeat(5000)}${'$('.repeat(2000)}${'"'.repeat(3001)}\n`;
    lintSafely(deep);
  });
});
