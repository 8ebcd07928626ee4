/** Hand-built Plans for the generator's tests (not shipped logic: a factory with realistic defaults). */
import { PLAN_SCHEMA_VERSION, type Plan } from '../plan.js';

export function testPlan(partial: Partial<Plan> = {}): Plan {
  const base: Plan = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    root: '/tmp/project',
    appDir: '.',
    pythonVersion: '3.11',
    packageManager: 'pip',
    lockfile: 'requirements.txt',
    manifests: ['requirements.txt'],
    installProject: false,
    extras: [],
    framework: 'flask',
    entrypoint: 'app.main:app',
    command: ['gunicorn', '--bind', '0.0.0.0:8000', 'app.main:app'],
    port: 8000,
    healthcheckPath: '/health',
    importChecks: ['app.main'],
    system: { build: [], runtime: [] },
    native: [],
    dependencies: [],
    index: { url: null, extraUrls: [], needsCredentials: false, secretId: 'pip-index' },
    django: null,
    image: {
      builder: 'python:3.11-slim-bookworm',
      runtime: 'python:3.11-slim-bookworm',
      debian: 'bookworm',
      distroless: false,
      pythonPath: '/usr/local/bin/python3.11',
    },
    user: { name: 'app', uid: 10001, gid: 10001 },
    tools: {},
    env: {},
    decisions: [],
    warnings: [],
    overrides: {},
  };
  return { ...base, ...partial };
}
