/**
 * The knowledge table of src/project/launcher.ts: which Python calls start a server, how they take
 * their bind address, and which are development servers (data/launchers.json).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Arg = z.object({ keyword: z.string().optional(), index: z.number().int().min(0).optional() });
const ServerCall = z.object({
  call: z.string().regex(/^[\w.]+$/),
  method: z.string().optional(),
  package: z.string().nullable(),
  host: Arg.optional(),
  port: Arg.optional(),
  address: Arg.optional(),
  defaultHost: z.string().optional(),
  defaultPort: z.number().int().positive().nullable().optional(),
  devKeywords: z.array(z.string()).optional(),
  dev: z.string().optional(),
});
const LaunchersFile = z.object({
  servers: z.array(ServerCall).min(1),
  gunicornBases: z.array(z.string()),
  djangoDevCommands: z.array(z.string()),
  subcommands: z.array(z.string()).min(1),
  cliGroups: z.array(z.string()),
  cliCommands: z.array(z.string()),
  clientSettings: z.string(),
  shellServers: z.record(z.string(), z.array(z.string()).min(1)),
  shellWrappers: z.record(z.string(), z.number().int().min(0)),
  entryScripts: z.string(),
  skipScripts: z.string(),
  entryDirs: z.array(z.string()),
  serverBranches: z.array(z.string()),
  setupSteps: z.string(),
});
export type ServerCallSpec = z.infer<typeof ServerCall>;
export type LaunchersData = z.infer<typeof LaunchersFile>;

export const LAUNCHERS_FILE = new URL('../../data/launchers.json', import.meta.url);
let cache: LaunchersData | null = null;

export function parseLaunchersData(text: string): LaunchersData {
  const d = LaunchersFile.parse(JSON.parse(text));
  const seen = new Set<string>();
  for (const s of d.servers) {
    const key = `${s.call}#${s.method ?? ''}`;
    if (seen.has(key)) throw new Error(`launchers.json: ${key} is listed twice`);
    seen.add(key);
    // A production entry must say where it listens, or the port it reports would be a guess.
    if (!s.dev && !s.port && !s.address)
      throw new Error(`launchers.json: ${key} has neither a port nor an address argument`);
    if (!s.dev && s.defaultHost === undefined)
      throw new Error(`launchers.json: ${key} does not say which host it binds by default`);
  }
  for (const key of ['entryScripts', 'skipScripts', 'setupSteps', 'clientSettings'] as const) {
    try {
      new RegExp(d[key]);
    } catch (e) {
      throw new Error(`launchers.json: ${key} is not a regular expression: ${(e as Error).message}`);
    }
  }
  return d;
}

export function launchersData(): LaunchersData {
  cache ??= parseLaunchersData(readFileSync(LAUNCHERS_FILE, 'utf8'));
  return cache;
}
