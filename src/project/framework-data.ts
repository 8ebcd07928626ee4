/**
 * data/frameworks.json: how each framework is served, validated once. This module sits two levels
 * below the package root (not in framework/) so its URL finds data/ from the dist/cli bundles too.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const FrameworkSpec = z.object({
  kind: z.enum(['asgi', 'wsgi', 'aiohttp', 'worker', 'script', 'cli']),
  constructors: z.array(z.string()),
  package: z.string().nullable(),
  server: z.string(),
  serverWhen: z.record(z.string(), z.string()).optional(),
  asgiServer: z.string().optional(),
  /** ASGI server to use instead when its package is a dependency and the default's is not. */
  asgiServerWhen: z.record(z.string(), z.string()).optional(),
  /** Other production servers for it, in order: used when the default's package is not a dependency. */
  servers: z.array(z.string()).optional(),
  asgiServers: z.array(z.string()).optional(),
  /** A method call that makes the app, in a module importing the package: { make_wsgi_app: 'pyramid' }. */
  methods: z.record(z.string(), z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  port: z.number().int().positive().nullable(),
  healthcheckPath: z.string().nullable(),
});
const ServerSpec = z.object({
  package: z.string().nullable(),
  requires: z.array(z.string()).optional(),
  command: z.array(z.string()).min(1),
  appDir: z.array(z.string()).optional(),
  factory: z.array(z.string()).optional(),
  factoryCall: z.boolean().optional(),
  /** Imports an attribute path as the target (module:obj.app); gunicorn imports only a name. */
  attributes: z.boolean().optional(),
});
const FrameworksFile = z.object({
  frameworks: z.record(z.string(), FrameworkSpec),
  servers: z.record(z.string(), ServerSpec),
  devServers: z.array(z.object({ match: z.string(), framework: z.string(), why: z.string() })),
  healthPaths: z.array(z.string().startsWith('/')),
});
export type FrameworksData = z.infer<typeof FrameworksFile>;
export type FwSpec = z.infer<typeof FrameworkSpec>;

export const FRAMEWORKS_FILE = new URL('../../data/frameworks.json', import.meta.url);
let cache: FrameworksData | null = null;

export function parseFrameworksData(text: string): FrameworksData {
  const d = FrameworksFile.parse(JSON.parse(text));
  for (const [name, f] of Object.entries(d.frameworks)) {
    for (const s of [
      f.server,
      f.asgiServer,
      ...Object.values(f.serverWhen ?? {}),
      ...Object.values(f.asgiServerWhen ?? {}),
      ...(f.servers ?? []),
      ...(f.asgiServers ?? []),
    ]) {
      if (s && !d.servers[s]) throw new Error(`frameworks.json: ${name} names unknown server ${s}`);
    }
  }
  for (const s of d.servers ? Object.values(d.servers) : []) {
    for (const arg of s.command)
      if (arg.includes('127.0.0.1') || arg.includes('localhost')) throw new Error('bind 0.0.0.0');
  }
  return d;
}

export function frameworksData(): FrameworksData {
  cache ??= parseFrameworksData(readFileSync(FRAMEWORKS_FILE, 'utf8'));
  return cache;
}
