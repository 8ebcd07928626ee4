import { describe, expect, it } from 'vitest';
import { lintText } from '../engine.js';
import { projectFromFiles } from '../project.js';
import { testPlan } from '../testing.js';
import { RULES } from './index.js';

describe('rule metadata', () => {
  it('ids and names are unique and well formed', () => {
    const ids = new Set(RULES.map((r) => r.id));
    const names = new Set(RULES.map((r) => r.name));
    expect(ids.size).toBe(RULES.length);
    expect(names.size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^PC\d{3}$/);
      expect(r.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.summary.length).toBeGreaterThan(10);
      expect(r.rationale.length).toBeGreaterThan(40);
      expect(r.fix.length).toBeGreaterThan(10);
      expect(r.cases.good.length).toBeGreaterThan(0);
      expect(r.cases.bad.length).toBeGreaterThan(0);
      if (r.project) expect(r.caseProject).toBeDefined();
    }
  });
});

for (const rule of RULES) {
  describe(`${rule.id} ${rule.name}`, async () => {
    const project = rule.caseProject
      ? await projectFromFiles(
          rule.caseProject.files,
          rule.caseProject.plan ? testPlan(rule.caseProject.plan) : null,
        )
      : null;
    rule.cases.bad.forEach((text, k) => {
      it(`bad case ${k + 1} is reported`, () => {
        const r = lintText(text, { rules: [rule], project });
        expect(r.notes.filter((n) => n.includes('internal error'))).toEqual([]);
        expect(
          r.findings.map((f) => f.ruleId),
          text,
        ).toContain(rule.id);
        for (const f of r.findings) {
          expect(f.line).toBeGreaterThanOrEqual(1);
          expect(f.column).toBeGreaterThanOrEqual(1);
          expect(f.endLine * 100000 + f.endColumn).toBeGreaterThanOrEqual(f.line * 100000 + f.column);
        }
      });
    });
    rule.cases.good.forEach((text, k) => {
      it(`good case ${k + 1} passes`, () => {
        const r = lintText(text, { rules: [rule], project });
        expect(r.notes.filter((n) => n.includes('internal error'))).toEqual([]);
        expect(r.findings, text).toEqual([]);
      });
    });
  });
}
