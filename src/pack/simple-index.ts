/**
 * A PEP 503 (HTML) / PEP 691 (JSON) simple-index client: the files of one project with their sha256,
 * credentials from the URL, ~/.netrc ($NETRC) or PIP_INDEX_URL's userinfo, never from a redirect.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { normalizeName } from '../project/pep508.js';

export interface IndexFile {
  filename: string;
  url: string;
  sha256?: string;
  yanked?: boolean;
}

export class IndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexError';
  }
}

export interface Netrc {
  machines: Map<string, { login: string; password: string }>;
  fallback?: { login: string; password: string };
}

export function parseNetrc(text: string): Netrc {
  const tokens = text.replace(/#.*$/gm, '').split(/\s+/).filter(Boolean);
  const machines = new Map<string, { login: string; password: string }>();
  let fallback: { login: string; password: string } | undefined;
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i++];
    if (t !== 'machine' && t !== 'default') continue;
    const host = t === 'machine' ? (tokens[i++] ?? '') : '';
    const cred = { login: '', password: '' };
    while (i < tokens.length && tokens[i] !== 'machine' && tokens[i] !== 'default') {
      const k = tokens[i++];
      const v = tokens[i++] ?? '';
      if (k === 'login') cred.login = v;
      else if (k === 'password') cred.password = v;
    }
    if (t === 'default') fallback = cred;
    else machines.set(host, cred);
  }
  return { machines, fallback };
}

export async function loadNetrc(env: NodeJS.ProcessEnv = process.env): Promise<Netrc | null> {
  const file = env.NETRC ?? path.join(os.homedir(), '.netrc');
  try {
    return parseNetrc(await fsp.readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

/** The Authorization header for a URL: its own userinfo first, then netrc for its host. */
export function authFor(url: URL, netrc: Netrc | null): string | undefined {
  if (url.username) {
    return `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  }
  const cred = netrc?.machines.get(url.hostname) ?? netrc?.fallback;
  if (cred?.login) return `Basic ${Buffer.from(`${cred.login}:${cred.password}`).toString('base64')}`;
  return undefined;
}

/** fetch that sends credentials to the URL's own origin only, following redirects by hand. */
export async function fetchWithAuth(
  raw: string,
  netrc: Netrc | null,
  headers: Record<string, string> = {},
  origin?: string,
): Promise<Response> {
  let url = new URL(raw);
  const home = origin ?? url.origin;
  for (let hop = 0; hop < 5; hop++) {
    const auth = url.origin === home ? authFor(url, netrc) : undefined;
    const clean = new URL(url);
    clean.username = '';
    clean.password = '';
    let res: Response;
    try {
      res = await fetch(clean, {
        headers: { ...headers, ...(auth ? { authorization: auth } : {}) },
        redirect: 'manual',
      });
    } catch (err) {
      throw new IndexError(
        `${clean.href}: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`,
      );
    }
    const loc = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && loc) {
      url = new URL(loc, clean);
      continue;
    }
    if (res.status === 401 || res.status === 403)
      throw new IndexError(
        `${clean.href}: ${res.status} ${res.statusText}; credentials come from the URL or ~/.netrc (machine ${url.hostname})`,
      );
    if (!res.ok) throw new IndexError(`${clean.href}: ${res.status} ${res.statusText}`);
    return res;
  }
  throw new IndexError(`${raw}: too many redirects`);
}

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
}

export function parseSimpleHtml(html: string, base: string): IndexFile[] {
  const out: IndexFile[] = [];
  for (const m of html.matchAll(/<a\s([^>]*)>([^<]*)<\/a>/gi)) {
    const attrs = m[1] ?? '';
    const href = /href\s*=\s*"([^"]*)"|href\s*=\s*'([^']*)'/i.exec(attrs);
    const link = decodeEntities(href?.[1] ?? href?.[2] ?? '');
    if (!link) continue;
    const url = new URL(link, base);
    const frag = /(?:^|&)sha256=([0-9a-f]{64})/i.exec(url.hash.slice(1));
    url.hash = '';
    out.push({
      filename:
        decodeEntities((m[2] ?? '').trim()) || decodeURIComponent(url.pathname.split('/').pop() ?? ''),
      url: url.href,
      sha256: frag?.[1]?.toLowerCase(),
      yanked: /data-yanked/i.test(attrs),
    });
  }
  return out;
}

export function parseSimpleJson(text: string, base: string): IndexFile[] {
  const data = JSON.parse(text) as {
    files?: Array<{ filename: string; url: string; hashes?: Record<string, string>; yanked?: unknown }>;
  };
  return (data.files ?? []).map((f) => ({
    filename: f.filename,
    url: new URL(f.url, base).href,
    sha256: f.hashes?.sha256?.toLowerCase(),
    yanked: Boolean(f.yanked),
  }));
}

export async function projectFiles(
  indexUrl: string,
  name: string,
  netrc: Netrc | null,
): Promise<IndexFile[]> {
  const page = `${indexUrl.replace(/\/+$/, '')}/${normalizeName(name)}/`;
  const res = await fetchWithAuth(page, netrc, {
    accept: 'application/vnd.pypi.simple.v1+json, text/html;q=0.1',
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json')
    ? parseSimpleJson(text, res.url || page)
    : parseSimpleHtml(text, res.url || page);
}
