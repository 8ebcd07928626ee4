import http from 'node:http';
import net from 'node:net';

/** A free TCP port on 127.0.0.1 (the OS picks it; released before the engine binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True when something already listens on 127.0.0.1:port (or the port cannot be bound). */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(false)));
  });
}

export interface HttpAnswer {
  status: number;
  /** First bytes of the body, for the report. */
  body: string;
}

/** One GET; resolves null when nothing answers (refused, reset, timeout). */
export function httpGet(url: string, timeoutMs = 3000): Promise<HttpAnswer | null> {
  return new Promise((resolve) => {
    const req = http.get(
      url,
      { timeout: timeoutMs, headers: { 'user-agent': 'pycontain-verify' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (body.length < 2048) body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.slice(0, 2048) }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve(null);
    });
    req.on('error', () => resolve(null));
  });
}

/** The path of the URL a HEALTHCHECK polls (`... urlopen('http://127.0.0.1:8000/health') ...`). */
export function healthPathFromHealthcheck(test: string[] | null): string | null {
  if (!test) return null;
  const m = /https?:\/\/[^/\s'"]+(\/[^\s'"),]*)/.exec(test.join(' '));
  return m?.[1] ?? null;
}
