import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authFor,
  fetchWithAuth,
  IndexError,
  parseNetrc,
  parseSimpleHtml,
  parseSimpleJson,
  projectFiles,
} from './simple-index.js';

describe('simple index pages', () => {
  it('reads PEP 503 anchors with relative links, hashes and yanked marks', () => {
    const html = `<!DOCTYPE html><html><body>
      <a href="../../files/Flask-2.2.2-py3-none-any.whl#sha256=A7BD04BB6029433913F13F58B227046DAB61FCEF9673AF01DCC4ED2C7397E425">Flask-2.2.2-py3-none-any.whl</a>
      <a href="https://files.example/x/flask-2.2.2.tar.gz#md5=00" data-yanked="">flask-2.2.2.tar.gz</a>
    </body></html>`;
    const files = parseSimpleHtml(html, 'http://idx.example/simple/flask/');
    expect(files).toEqual([
      {
        filename: 'Flask-2.2.2-py3-none-any.whl',
        url: 'http://idx.example/files/Flask-2.2.2-py3-none-any.whl',
        sha256: 'a7bd04bb6029433913f13f58b227046dab61fcef9673af01dcc4ed2c7397e425',
        yanked: false,
      },
      {
        filename: 'flask-2.2.2.tar.gz',
        url: 'https://files.example/x/flask-2.2.2.tar.gz',
        sha256: undefined,
        yanked: true,
      },
    ]);
  });

  it('reads PEP 691 JSON', () => {
    const files = parseSimpleJson(
      JSON.stringify({
        files: [
          { filename: 'a-1-py3-none-any.whl', url: '/f/a-1-py3-none-any.whl', hashes: { sha256: 'AB' } },
        ],
      }),
      'http://idx.example/simple/a/',
    );
    expect(files).toEqual([
      {
        filename: 'a-1-py3-none-any.whl',
        url: 'http://idx.example/f/a-1-py3-none-any.whl',
        sha256: 'ab',
        yanked: false,
      },
    ]);
  });
});

describe('credentials', () => {
  const netrc = parseNetrc(
    'machine idx.example login alice password s3cret\n# c\ndefault login anon password x\n',
  );

  it('parses netrc machines and the default', () => {
    expect(netrc.machines.get('idx.example')).toEqual({ login: 'alice', password: 's3cret' });
    expect(netrc.fallback).toEqual({ login: 'anon', password: 'x' });
  });

  it("prefers the URL's own userinfo, then netrc", () => {
    expect(authFor(new URL('https://bob:pw@idx.example/simple/'), netrc)).toBe(
      `Basic ${Buffer.from('bob:pw').toString('base64')}`,
    );
    expect(authFor(new URL('https://idx.example/simple/'), netrc)).toBe(
      `Basic ${Buffer.from('alice:s3cret').toString('base64')}`,
    );
    expect(authFor(new URL('https://other.example/'), { machines: new Map() })).toBeUndefined();
  });
});

describe('fetchWithAuth', () => {
  let a: http.Server;
  let b: http.Server;
  let aUrl: string;
  let bUrl: string;
  const seen: Array<{ server: string; auth?: string }> = [];
  beforeAll(async () => {
    b = http.createServer((req, res) => {
      seen.push({ server: 'b', auth: req.headers.authorization });
      res.end('file');
    });
    a = http.createServer((req, res) => {
      seen.push({ server: 'a', auth: req.headers.authorization });
      if (req.url === '/simple/demo/') {
        res.setHeader('content-type', 'application/vnd.pypi.simple.v1+json');
        res.end(
          JSON.stringify({
            files: [
              {
                filename: 'demo-1-py3-none-any.whl',
                url: `${bUrl}/demo-1-py3-none-any.whl`,
                hashes: { sha256: 'cd' },
              },
            ],
          }),
        );
      } else if (req.url === '/redirect') {
        res.statusCode = 302;
        res.setHeader('location', `${bUrl}/blob`);
        res.end();
      } else {
        res.statusCode = 401;
        res.end();
      }
    });
    await new Promise<void>((r) => a.listen(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => b.listen(0, '127.0.0.1', () => r()));
    aUrl = `http://127.0.0.1:${(a.address() as AddressInfo).port}`;
    bUrl = `http://localhost:${(b.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    a.close();
    b.close();
  });

  it('never sends credentials to another origin on a redirect', async () => {
    seen.length = 0;
    const res = await fetchWithAuth(`${aUrl}/redirect`, {
      machines: new Map([['127.0.0.1', { login: 'u', password: 'p' }]]),
    });
    expect(await res.text()).toBe('file');
    expect(seen[0]?.auth).toBeDefined();
    expect(seen[1]).toEqual({ server: 'b', auth: undefined });
  });

  it('lists a project from a JSON page and says where credentials come from on 401', async () => {
    const files = await projectFiles(`${aUrl}/simple/`, 'Demo', null);
    expect(files[0]?.filename).toBe('demo-1-py3-none-any.whl');
    await expect(fetchWithAuth(`${aUrl}/private/`, null)).rejects.toThrow(IndexError);
    await expect(fetchWithAuth(`${aUrl}/private/`, null)).rejects.toThrow(/~\/\.netrc/);
  });
});
