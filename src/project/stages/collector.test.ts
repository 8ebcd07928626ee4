import { describe, expect, it } from 'vitest';
import { DecisionCollector } from './collector.js';

describe('DecisionCollector', () => {
  it('keeps decisions and warnings in the order the stages record them, detectors merged in place', () => {
    const log = new DecisionCollector();
    log.decide('appDir', '.', 'the top directory is a project', { file: 'pyproject.toml' });
    log.warn('no-lock', 'no lock file', { file: 'pyproject.toml', line: 3 });
    log.absorb({
      decisions: [{ topic: 'framework', value: 'flask', reason: 'found Flask()' }],
      warnings: [{ code: 'no-entrypoint', message: 'nothing to run' }],
    });
    log.decide('user', 'app (10001:10001)', 'a fixed non-root UID');
    expect(log.decisions.map((d) => d.topic)).toEqual(['appDir', 'framework', 'user']);
    expect(log.warnings.map((w) => w.code)).toEqual(['no-lock', 'no-entrypoint']);
  });

  it('leaves `source` out when a stage has none, so the JSON plan has no empty keys', () => {
    const log = new DecisionCollector();
    log.decide('installProject', 'no', 'Pipfile projects are applications', undefined);
    log.warn('debian-release-assumed', 'the tag names no release');
    expect(Object.keys(log.decisions[0] ?? {})).toEqual(['topic', 'value', 'reason']);
    expect(Object.keys(log.warnings[0] ?? {})).toEqual(['code', 'message']);
  });
});
