import { describe, expect, it } from 'vitest';
import { bakeTargetName, hclString, renderBakeFile } from './bake.js';

describe('renderBakeFile', () => {
  it('writes one target per app with its own context and Dockerfile, in a default group', () => {
    const hcl = renderBakeFile(
      [
        {
          name: 'api',
          context: '/repo/services/api',
          dockerfilePath: '/tmp/b/api/Dockerfile',
          tags: ['api:latest'],
        },
        {
          name: 'worker',
          context: '/repo/services/worker',
          dockerfilePath: '/repo/services/worker/Dockerfile',
          tags: ['worker:latest'],
        },
      ],
      {
        buildArgs: ['PIP_INDEX_URL=http://127.0.0.1:3141/simple/'],
        network: 'host',
        secrets: ['id=pip-index,env=NETRC'],
        platforms: ['linux/amd64'],
      },
    );
    expect(hcl).toContain('group "default" {\n  targets = ["api", "worker"]\n}');
    expect(hcl).toContain(
      'target "api" {\n  context    = "/repo/services/api"\n  dockerfile = "/tmp/b/api/Dockerfile"\n  tags       = ["api:latest"]',
    );
    expect(hcl).toContain('target "worker" {');
    expect(hcl).toContain('    "PIP_INDEX_URL" = "http://127.0.0.1:3141/simple/"');
    expect(hcl).toContain('  network    = "host"');
    expect(hcl).toContain('  secret     = ["id=pip-index,env=NETRC"]');
    expect(hcl).toContain('  platforms  = ["linux/amd64"]');
  });

  it('escapes HCL template sequences and quotes', () => {
    const dollarBrace = '$' + '{';
    expect(hclString(`a${dollarBrace}b}%{c}"d\\`)).toBe(`"a$${dollarBrace}b}%%{c}\\"d\\\\"`);
  });

  it('names targets after app directories', () => {
    expect(bakeTargetName('services/api')).toBe('services-api');
    expect(bakeTargetName('.')).toBe('app');
    expect(bakeTargetName('2fa')).toBe('app-2fa');
  });
});
