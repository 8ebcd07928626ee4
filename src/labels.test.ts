import { describe, expect, it } from 'vitest';
import { testPlan } from './dockerfile/testing.js';
import { IMAGE_LABELS, planLabels, readImageLabels } from './labels.js';

describe('image labels', () => {
  it('the plan writes them in one order and leaves empty ones out', () => {
    expect(planLabels(testPlan())).toEqual([
      [IMAGE_LABELS.packageManager, 'pip'],
      [IMAGE_LABELS.framework, 'flask'],
      [IMAGE_LABELS.importChecks, 'app.main'],
      [IMAGE_LABELS.port, '8000'],
      [IMAGE_LABELS.healthcheckPath, '/health'],
    ]);
    expect(
      planLabels(testPlan({ port: null, healthcheckPath: null, importChecks: [] })).map(([k]) => k),
    ).toEqual([IMAGE_LABELS.packageManager, IMAGE_LABELS.framework]);
  });

  it('reading an image config gives back what the plan wrote; other images have none', () => {
    const labels = Object.fromEntries(planLabels(testPlan()));
    expect(readImageLabels({ ...labels, 'org.opencontainers.image.title': 'x' })).toEqual({
      packageManager: 'pip',
      framework: 'flask',
      importChecks: 'app.main',
      port: '8000',
      healthcheckPath: '/health',
    });
    expect(readImageLabels({ maintainer: 'x' })).toBeNull();
    expect(readImageLabels(null)).toBeNull();
  });
});
