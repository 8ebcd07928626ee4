/** Small file-system helpers: optional files, Streamlit's config, setup.cfg console scripts. */
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';

export async function readIfExists(file: string): Promise<string | null> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch {
    return null;
  }
}

export function existsSync(base: string, rel: string): boolean {
  try {
    readFileSync(path.join(base, rel));
    return true;
  } catch {
    return false;
  }
}

export async function streamlitConfigPort(base: string): Promise<number | null> {
  const text = await readIfExists(path.join(base, '.streamlit', 'config.toml'));
  if (!text) return null;
  try {
    const doc = parseToml(text) as { server?: { port?: unknown } };
    return typeof doc.server?.port === 'number' ? doc.server.port : null;
  } catch {
    return null;
  }
}

/** console_scripts from setup.cfg's [options.entry_points] (setuptools projects without pyproject scripts). */
export async function setupCfgScripts(base: string): Promise<Record<string, string>> {
  const text = await readIfExists(path.join(base, 'setup.cfg'));
  const out: Record<string, string> = {};
  if (!text) return out;
  let section = '';
  let inKey = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s[#;].*$/, '');
    const sec = /^\[([^\]]+)\]/.exec(line);
    if (sec) {
      section = (sec[1] as string).trim();
      inKey = false;
      continue;
    }
    if (section !== 'options.entry_points') continue;
    const key = /^([A-Za-z_][\w.-]*)\s*=\s*(.*)$/.exec(line);
    if (key) {
      inKey = key[1] === 'console_scripts';
      if (inKey && key[2]?.trim()) {
        const m = /^\s*([\w.-]+)\s*=\s*([\w.]+\s*:\s*[\w.]+)/.exec(key[2]);
        if (m) out[m[1] as string] = (m[2] as string).replace(/\s+/g, '');
      }
      continue;
    }
    if (inKey && /^\s+\S/.test(line)) {
      const m = /^\s*([\w.-]+)\s*=\s*([\w.]+\s*:\s*[\w.]+)/.exec(line);
      if (m) out[m[1] as string] = (m[2] as string).replace(/\s+/g, '');
    }
  }
  return out;
}
