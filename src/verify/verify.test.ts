import { describe, expect, it } from 'vitest';
import { formatVerifyReport } from '../report/verify.js';
import { healthPathFromHealthcheck } from './http.js';
import { checkUser, type VerifyReport } from './verify.js';

describe('checkUser', () => {
  it.each([
    ['', false, /no USER/],
    ['root', false, /not numeric/],
    ['0', false, /runs as root/],
    ['0:0', false, /runs as root/],
    ['app', false, /not numeric/],
    ['app:1000', false, /not numeric/],
    ['1000:app', false, /not numeric/],
    ['10001', true, /UID 10001/],
    ['10001:10001', true, /UID 10001, GID 10001/],
    ['65532:65532', true, /UID 65532/],
  ])('USER %j -> ok=%s', (user, ok, summary) => {
    const r = checkUser(user);
    expect(r.ok).toBe(ok);
    expect(r.summary).toMatch(summary);
  });
});

describe('healthPathFromHealthcheck', () => {
  it('finds the polled path in a standard-library HEALTHCHECK', () => {
    expect(
      healthPathFromHealthcheck([
        'CMD',
        '/opt/venv/bin/python',
        '-c',
        "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)",
      ]),
    ).toBe('/healthz');
    expect(healthPathFromHealthcheck(['CMD-SHELL', 'curl -f http://localhost:8080/ || exit 1'])).toBe('/');
    expect(healthPathFromHealthcheck(['NONE'])).toBeNull();
    expect(healthPathFromHealthcheck(null)).toBeNull();
  });
});

describe('formatVerifyReport', () => {
  it('prints each check, the failure details, size, layers and distributions', () => {
    const report: VerifyReport = {
      image: 'app:latest',
      imageId: 'sha256:0123456789abcdef0123',
      ok: false,
      sizeBytes: 95 * 1024 * 1024,
      layers: 9,
      user: '10001:10001',
      python: '3.11.2',
      interpreter: '/opt/venv/bin/python3 (via python3)',
      inVenv: true,
      distributions: [
        { name: 'Flask', version: '2.2.2' },
        { name: 'psycopg2', version: '2.9.5' },
      ],
      importChecks: ['app', 'psycopg2'],
      missingLibraries: [{ soname: 'libpq.so.5', neededBy: ['/opt/venv/x.so'], debianPackage: 'libpq5' }],
      checks: [
        { id: 'non-root', ok: true, summary: 'runs as UID 10001, GID 10001', details: [] },
        {
          id: 'native-libraries',
          ok: false,
          summary: 'missing shared libraries: libpq.so.5 (Debian package libpq5)',
          details: ['libpq.so.5 is needed by /opt/venv/x.so'],
        },
        {
          id: 'http',
          ok: true,
          skipped: true,
          summary: 'no port: not an HTTP app, not started',
          details: [],
        },
      ],
      http: null,
    };
    const text = formatVerifyReport(report);
    expect(text).toContain('✔ non-root');
    expect(text).toContain(
      '✖ native-libraries  missing shared libraries: libpq.so.5 (Debian package libpq5)',
    );
    expect(text).toContain('libpq.so.5 is needed by /opt/venv/x.so');
    expect(text).toContain('- http');
    expect(text).toContain('size           95.0 MiB');
    expect(text).toContain('layers         9');
    expect(text).toContain('Flask==2.2.2  psycopg2==2.9.5');
    expect(text).toContain('verification failed: native-libraries');
  });
});
