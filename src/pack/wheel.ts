/**
 * Installing a wheel without pip, per the Binary distribution format spec (PEP 427): unpack into
 * site-packages, spread `{dist}.data/<scheme>/`, rewrite `#!python` shebangs, generate console and
 * GUI script launchers with the venv's interpreter (pip's launcher text, so the files match a
 * pip-built venv), write INSTALLER and REQUESTED, and rewrite RECORD. Every file the wheel's RECORD
 * hashes is checked against it.
 */
import { createHash } from 'node:crypto';
import type { LayerEntry } from './tarlayer.js';
import { readZip } from './zip.js';

export interface VenvLayout {
  /** Venv root in the image, without leading '/': 'opt/venv'. */
  root: string;
  /** 'python3.11' */
  pythonDir: string;
  /** The interpreter launchers and `#!python` scripts point at: '/opt/venv/bin/python'. */
  shebang: string;
  installer: string;
}

export interface InstallOptions {
  /** Written as REQUESTED: the package was asked for by name (pip does this for every -r line). */
  requested: boolean;
  /** Directories (relative to site-packages) whose content is left out: packages' own test suites. */
  drop?: (spPath: string) => boolean;
}

export interface InstalledWheel {
  name: string;
  version: string;
  distInfo: string;
  entries: LayerEntry[];
}

export class WheelError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'WheelError';
  }
}

function recordHash(data: Buffer): string {
  return `sha256=${createHash('sha256').update(data).digest('base64url')}`;
}

/** RFC 822-style `Key: value` lines (WHEEL, METADATA headers). */
function headers(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (m?.[1] && !out.has(m[1].toLowerCase())) out.set(m[1].toLowerCase(), (m[2] ?? '').trim());
  }
  return out;
}

/** entry_points.txt is INI: `[console_scripts]` then `name = module:attr [extras]`. */
export function parseEntryPoints(
  text: string,
): Map<string, Array<{ name: string; module: string; attr: string }>> {
  const out = new Map<string, Array<{ name: string; module: string; attr: string }>>();
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec?.[1]) {
      section = sec[1].trim();
      continue;
    }
    const m = /^([^=]+?)\s*=\s*([\w.]+)\s*(?::\s*([\w.]+))?\s*(\[.*\])?$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const list = out.get(section) ?? [];
    list.push({ name: m[1], module: m[2], attr: m[3] ?? '' });
    out.set(section, list);
  }
  return out;
}

/** The launcher pip (distlib's ScriptMaker) writes for a console script. */
export function launcherText(shebang: string, module: string, attr: string): string {
  const importName = attr.split('.')[0] ?? attr;
  return [
    `#!${shebang}`,
    '# -*- coding: utf-8 -*-',
    'import re',
    'import sys',
    `from ${module} import ${importName}`,
    "if __name__ == '__main__':",
    "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])",
    `    sys.exit(${attr}())`,
    '',
  ].join('\n');
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RECORD rows as Python's csv module writes them (\r\n line ends are not used by pip: \n). */
function parseRecord(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    let path: string;
    let rest: string;
    if (line.startsWith('"')) {
      const end = line.indexOf('",', 1);
      path = line.slice(1, end).replace(/""/g, '"');
      rest = line.slice(end + 2);
    } else {
      const i = line.indexOf(',');
      path = line.slice(0, i);
      rest = line.slice(i + 1);
    }
    const hash = rest.split(',')[0] ?? '';
    out.set(path, hash);
  }
  return out;
}

export function installWheel(
  wheel: Buffer,
  file: string,
  venv: VenvLayout,
  opts: InstallOptions,
): InstalledWheel {
  const members = readZip(wheel, file).filter((m) => !m.isDir);
  const distInfo = [...new Set(members.map((m) => m.name.split('/')[0] ?? ''))].find(
    (top) => top.endsWith('.dist-info') && members.some((m) => m.name === `${top}/WHEEL`),
  );
  if (!distInfo) throw new WheelError(file, 'no .dist-info directory with a WHEEL file');
  const byName = new Map(members.map((m) => [m.name, m]));
  const wheelMeta = headers(
    (byName.get(`${distInfo}/WHEEL`) as (typeof members)[number]).data().toString('utf8'),
  );
  const wv = (wheelMeta.get('wheel-version') ?? '1.0').split('.').map(Number);
  if ((wv[0] ?? 1) > 1)
    throw new WheelError(
      file,
      `Wheel-Version ${wheelMeta.get('wheel-version')} is newer than this installer (1.x)`,
    );
  const meta = headers(byName.get(`${distInfo}/METADATA`)?.data().toString('utf8') ?? '');
  const dataDir = `${distInfo.slice(0, -'.dist-info'.length)}.data`;
  const recorded = parseRecord(byName.get(`${distInfo}/RECORD`)?.data().toString('utf8') ?? '');
  const sp = `${venv.root}/lib/${venv.pythonDir}/site-packages`;
  const name = meta.get('name') ?? distInfo.split('-')[0] ?? file;
  const version = meta.get('version') ?? '';
  const entries: LayerEntry[] = [];
  const record: Array<[string, string, string]> = [];
  const add = (imagePath: string, data: Buffer, mode: number) => {
    entries.push({ path: imagePath, type: 'file', mode, data });
    const relToSp = imagePath.startsWith(`${sp}/`)
      ? imagePath.slice(sp.length + 1)
      : `${'../'.repeat(sp.split('/').length - venv.root.split('/').length)}${imagePath.slice(venv.root.length + 1)}`;
    record.push([relToSp, recordHash(data), String(data.length)]);
  };
  for (const m of members) {
    if (
      m.name === `${distInfo}/RECORD` ||
      m.name.endsWith('.dist-info/RECORD.jws') ||
      m.name.endsWith('.dist-info/RECORD.p7s')
    )
      continue;
    const data = m.data();
    const want = recorded.get(m.name);
    if (want?.startsWith('sha256=') && want !== recordHash(data))
      throw new WheelError(file, `${m.name} does not match the hash in the wheel's RECORD`);
    const executable = (m.unixMode & 0o111) !== 0;
    let mode = executable ? 0o755 : 0o644;
    let target: string;
    let out = data;
    if (m.name.startsWith(`${dataDir}/`)) {
      const [, scheme, ...rest] = m.name.split('/');
      const tail = rest.join('/');
      if (scheme === 'purelib' || scheme === 'platlib') target = `${sp}/${tail}`;
      else if (scheme === 'scripts') {
        target = `${venv.root}/bin/${tail}`;
        mode = 0o755;
        if (data.subarray(0, 8).toString('latin1') === '#!python') {
          const nl = data.indexOf(0x0a);
          out = Buffer.concat([
            Buffer.from(`#!${venv.shebang}`),
            nl === -1 ? Buffer.from('\n') : data.subarray(nl),
          ]);
        }
      } else if (scheme === 'headers') target = `${venv.root}/include/site/${venv.pythonDir}/${name}/${tail}`;
      else if (scheme === 'data') target = `${venv.root}/${tail}`;
      else throw new WheelError(file, `${m.name}: unknown .data scheme ${JSON.stringify(scheme)}`);
    } else target = `${sp}/${m.name}`;
    if (target.split('/').includes('..'))
      throw new WheelError(file, `${m.name} would install outside the venv`);
    if (opts.drop && target.startsWith(`${sp}/`) && opts.drop(target.slice(sp.length + 1))) continue;
    add(target, out, mode);
  }
  const eps = parseEntryPoints(byName.get(`${distInfo}/entry_points.txt`)?.data().toString('utf8') ?? '');
  for (const section of ['console_scripts', 'gui_scripts']) {
    for (const ep of eps.get(section) ?? []) {
      if (!ep.attr) throw new WheelError(file, `entry point ${ep.name} names no function`);
      add(`${venv.root}/bin/${ep.name}`, Buffer.from(launcherText(venv.shebang, ep.module, ep.attr)), 0o755);
    }
  }
  add(`${sp}/${distInfo}/INSTALLER`, Buffer.from(`${venv.installer}\n`), 0o644);
  if (opts.requested) add(`${sp}/${distInfo}/REQUESTED`, Buffer.alloc(0), 0o644);
  record.push([`${distInfo}/RECORD`, '', '']);
  record.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const recordText = record.map((r) => r.map(csvField).join(',')).join('\n');
  entries.push({
    path: `${sp}/${distInfo}/RECORD`,
    type: 'file',
    mode: 0o644,
    data: Buffer.from(`${recordText}\n`),
  });
  return { name, version, distInfo, entries };
}
