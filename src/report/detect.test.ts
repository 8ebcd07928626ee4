import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectProject } from '../project/detect.js';
import { formatDetectJson, formatDetectReport } from './detect.js';

const EXAMPLE = path.join(import.meta.dirname, '..', '..', 'examples', 'fastapi-poetry');

describe('detect report', () => {
  it('plain text: summary, one aligned line per decision with file:line, warnings; no colour when asked', async () => {
    const plan = await detectProject(EXAMPLE);
    plan.warnings.push({
      code: 'stale-lock',
      message: 'poetry.lock is out of date',
      source: { file: 'poetry.lock', line: 3 },
    });
    const text = formatDetectReport(plan, { color: false, width: 200 });
    expect(text).not.toMatch(/\u001b\[/);
    expect(text).toMatch(/^pycontain detect .*fastapi-poetry\n\n {2}python {12}3\.11\n/);
    expect(text).toMatch(/\n {2}package manager {3}poetry \(poetry\.lock\)\n/);
    expect(text).toMatch(
      /\n {2}pythonVersion +3\.11 +newest released CPython admitted by Poetry python "~3\.11", i\.e\. ">=3\.11,<3\.12"/,
    );
    expect(text).toMatch(/\[pyproject\.toml:\d+\]/);
    expect(text).toMatch(
      /Warnings \(1\)\n {2}! stale-lock {2}poetry\.lock is out of date \[poetry\.lock:3\]\n$/,
    );
    const decisionLines = text.split('\n').filter((l) => /^ {2}[a-zA-Z]/.test(l) && l.includes('  '));
    expect(decisionLines.length).toBeGreaterThan(5);
  });

  it('colour only when asked', async () => {
    const plan = await detectProject(EXAMPLE);
    expect(formatDetectReport(plan, { color: true })).toMatch(/\u001b\[/);
  });

  it('--json is the plan', async () => {
    const plan = await detectProject(EXAMPLE);
    const parsed = JSON.parse(formatDetectJson(plan));
    for (const k of [
      'pythonVersion',
      'packageManager',
      'lockfile',
      'framework',
      'entrypoint',
      'command',
      'port',
      'system',
      'appDir',
      'warnings',
    ])
      expect(parsed).toHaveProperty(k);
    expect(parsed.packageManager).toBe('poetry');
  });
});
