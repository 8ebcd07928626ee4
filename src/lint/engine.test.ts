// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile variables in test inputs
import { describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { applyFixes, fixText, lintText } from './engine.js';
import { RULES } from './rules/index.js';
import type { Finding } from './types.js';

const ids = (text: string, opts = {}) => lintText(text, opts).findings.map((f) => f.ruleId);

describe('positions', () => {
  it('are 1-based, precise to the column, end exclusive', () => {
    const r = lintText('FROM python:3.12-slim\nRUN    pip install flask\n', {
      rules: RULES.filter((x) => x.id === 'PC103'),
    });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([2, 8, 2, 19]);
  });
  it('count UTF-16 code units and ignore a BOM', () => {
    const text = '\uFEFFFROM python:3.12-slim\nLABEL description="café 🐍"\nRUN pip install x\n';
    const f = lintText(text, { rules: RULES.filter((x) => x.id === 'PC103') }).findings[0]!;
    expect([f.line, f.column]).toEqual([3, 5]);
    const g = lintText('FROM python:3\n', { rules: RULES.filter((x) => x.id === 'PC102') }).findings[0]!;
    expect([g.line, g.column, g.endColumn]).toEqual([1, 6, 14]);
  });
  it('follow line continuations, CRLF and the backtick escape directive', () => {
    const crlf = 'FROM python:3.12-slim\r\nRUN apt-get update && \\\r\n    pip install x\r\n';
    const f = lintText(crlf, { rules: RULES.filter((x) => x.id === 'PC103') }).findings[0]!;
    expect([f.line, f.column]).toEqual([3, 5]);
    const tick = '# escape=`\nFROM python:3.12-slim\nRUN echo a `\n    && pip install x\n';
    const g = lintText(tick, { rules: RULES.filter((x) => x.id === 'PC103') }).findings[0]!;
    expect([g.line, g.column]).toEqual([4, 8]);
  });
  it('look into heredoc scripts but not into heredoc files or python heredocs', () => {
    const text =
      'FROM python:3.12-slim\nRUN <<EOF\nset -e\npip install flask\nEOF\nCOPY <<EOT /app/x.sh\npip install nope\nEOT\nRUN python3 <<PY\nimport os\nPY\n';
    const found = lintText(text, { rules: RULES.filter((x) => x.id === 'PC103') }).findings;
    expect(found.map((f) => f.line)).toEqual([4]);
  });
});

describe('stages and variables', () => {
  it('resolves ARG defaults before FROM', () => {
    expect(ids('ARG PY=3\nFROM python:${PY}-slim\n')).toContain('PC102');
    expect(ids('ARG PY=3.12\nFROM python:${PY}-slim\n')).not.toContain('PC102');
    expect(ids('ARG PY\nFROM python:${PY:-3.12}-slim\n')).not.toContain('PC102');
  });
  it('only the final stage needs a USER, inherited through FROM stage', () => {
    expect(
      ids('FROM python:3.12-slim AS base\nUSER 10001\nFROM base\nENV PYTHONUNBUFFERED=1\n'),
    ).not.toContain('PC104');
    expect(
      ids('FROM python:3.12-slim AS b\nENV PYTHONUNBUFFERED=1\nFROM python:3.12-slim\nUSER 1\n'),
    ).not.toContain('PC104');
  });
});

describe('inline ignores', () => {
  const text =
    'FROM python:3.12-slim\n# pycontain ignore=PC103\nRUN pip install flask\nRUN pip install django\n';
  it('ignore= silences the next instruction only', () => {
    const f = lintText(text).findings.filter((x) => x.ruleId === 'PC103');
    expect(f.map((x) => x.line)).toEqual([4]);
  });
  it('accepts rule names, several ids, and a trailing comment', () => {
    const t =
      'FROM python:3.12-slim\n# pycontain ignore=pip-cache-kept, PC206  # known\nRUN pip install flask\n';
    expect(ids(t)).not.toContain('PC103');
    expect(ids(t)).not.toContain('PC206');
  });
  it('ignore-file= silences the whole file, wherever it is', () => {
    const t =
      'FROM python:3.12-slim\nRUN pip install flask\n# pycontain ignore-file=PC103,PC104\nRUN pip install x\n';
    expect(ids(t)).not.toContain('PC103');
    expect(ids(t)).not.toContain('PC104');
    expect(ids(t)).toContain('PC108');
  });
  it('notes unknown rules in a pragma', () => {
    const r = lintText('FROM python:3.12-slim\n# pycontain ignore=PC999\nRUN true\n');
    expect(r.notes.join()).toContain('PC999');
  });
});

describe('config', () => {
  const text = 'FROM python:3.12-slim\nRUN pip install flask\n';
  it('select, ignore, severity overrides and off', () => {
    expect(ids(text, { config: { select: ['PC1'] } }).every((id) => id.startsWith('PC1'))).toBe(true);
    expect(ids(text, { config: { ignore: ['PC103', 'final-stage-root'] } })).not.toContain('PC103');
    expect(ids(text, { config: { ignore: ['PC103', 'final-stage-root'] } })).not.toContain('PC104');
    const sev = lintText(text, { config: { severity: { PC103: 'error' } } }).findings.find(
      (f) => f.ruleId === 'PC103',
    );
    expect(sev?.severity).toBe('error');
    expect(ids(text, { config: { severity: { PC103: 'off' } } })).not.toContain('PC103');
  });
});

describe('bad input', () => {
  it('binary junk is an InputError naming the file', () => {
    expect(() => lintText('FROM x\n\u0000\u0001', { file: 'junk' })).toThrow(InputError);
    try {
      lintText('\u0000', { file: 'junk' });
    } catch (e) {
      expect((e as InputError).file).toBe('junk');
    }
  });
  it('empty and comment-only files lint clean', () => {
    expect(lintText('').findings).toEqual([]);
    expect(lintText('# nothing\n').findings).toEqual([]);
  });
});

describe('--fix', () => {
  const fix = (t: string) => fixText(t).text;
  it('adds --no-cache-dir, --no-install-recommends and -y, keeping everything else byte for byte', () => {
    const before =
      '# syntax=docker/dockerfile:1\nFROM python:3.12-slim\r\nRUN apt-get update && apt-get install libpq5 \\\n  && rm -rf /var/lib/apt/lists/*\nRUN pip install  flask   # keep spacing\n';
    const after = fix(before);
    expect(after).toBe(
      '# syntax=docker/dockerfile:1\nFROM python:3.12-slim\r\nENV PYTHONUNBUFFERED=1\r\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\\n  && rm -rf /var/lib/apt/lists/*\nRUN pip install --no-cache-dir  flask   # keep spacing\n',
    );
  });
  it('MAINTAINER becomes an OCI label', () => {
    expect(
      fix('FROM python:3.12-slim AS b\nENV PYTHONUNBUFFERED=1\nMAINTAINER Jane "J" <j@x.org>\n'),
    ).toContain('LABEL org.opencontainers.image.authors="Jane \\"J\\" <j@x.org>"');
  });
  it('ADD of local files becomes COPY, remote ADD stays', () => {
    expect(
      fix('FROM python:3.12-slim AS b\nENV PYTHONUNBUFFERED=1\nADD . /app\nADD https://x.org/a /a\n'),
    ).toBe('FROM python:3.12-slim AS b\nENV PYTHONUNBUFFERED=1\nCOPY . /app\nADD https://x.org/a /a\n');
  });
  it('relative WORKDIR becomes absolute against the previous one', () => {
    expect(fix('FROM python:3.12-slim AS b\nENV PYTHONUNBUFFERED=1\nWORKDIR /srv\nWORKDIR app\n')).toBe(
      'FROM python:3.12-slim AS b\nENV PYTHONUNBUFFERED=1\nWORKDIR /srv\nWORKDIR /srv/app\n',
    );
    expect(fix('FROM python:3.12-slim AS b\nENV PYTHONUNBUFFERED=1\nWORKDIR app\n')).toBe(
      'FROM python:3.12-slim AS b\nENV PYTHONUNBUFFERED=1\nWORKDIR /app\n',
    );
    // Unknown base: its WORKDIR is unknown, so no fix.
    expect(fix('FROM ghcr.io/org/base:1.0 AS b\nENV PYTHONUNBUFFERED=1\nWORKDIR app\n')).toBe(
      'FROM ghcr.io/org/base:1.0 AS b\nENV PYTHONUNBUFFERED=1\nWORKDIR app\n',
    );
  });
  it('is idempotent and keeps a BOM', () => {
    const once = fix('\uFEFFFROM python:3.12-slim\nRUN pip install x\n');
    expect(once.startsWith('\uFEFF')).toBe(true);
    expect(fix(once)).toBe(once);
  });
  it('applyFixes never applies overlapping edits in one round', () => {
    const f = (s: number, e: number, t: string): Finding => ({
      ruleId: 'X',
      ruleName: 'x',
      severity: 'info',
      message: '',
      file: 'f',
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 1,
      fix: { description: '', edits: [{ start: s, end: e, text: t }] },
    });
    const r = applyFixes('abcdef', [f(1, 3, 'X'), f(2, 4, 'Y'), f(5, 5, 'Z')]);
    expect(r).toEqual({ text: 'aXdeZf', applied: 2 });
  });
});
