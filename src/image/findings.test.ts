import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FINDING_IDS, FINDINGS, findingOf, renderFindingDocs } from './findings.js';
import { validateGates } from './gates.js';

describe('the finding registry', () => {
  it('ids are kebab-case, each doc one line', () => {
    for (const id of FINDING_IDS) {
      expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(FINDINGS[id].doc).not.toContain('\n');
      expect(FINDINGS[id].doc.length).toBeGreaterThan(10);
    }
  });

  it('every id is one analyze reports (no entry without code behind it)', () => {
    const analyze = readFileSync(new URL('./analyze.ts', import.meta.url), 'utf8');
    for (const id of FINDING_IDS) expect(analyze, id).toContain(`'${id}'`);
  });

  it('findingOf takes the severity from the registry', () => {
    expect(findingOf('root-user')).toEqual({ id: 'root-user', severity: 'warning' });
  });

  it('--fail-on accepts every registered id and the severities, and names the known ids otherwise', () => {
    expect(() => validateGates({ failOn: [...FINDING_IDS, 'error', 'warning', 'info'] })).not.toThrow();
    expect(() => validateGates({ failOn: ['no-such-finding'] })).toThrow(/known: missing-shared-library, /);
  });

  it('docs/findings.md is generated from the registry and up to date (run `npm run docs:rules`)', () => {
    expect(readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8')).toBe(
      renderFindingDocs(),
    );
  });
});
