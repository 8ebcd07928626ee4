/**
 * The venv skeleton `python -m venv --without-pip /opt/venv` makes, written without running Python:
 * pyvenv.cfg, the bin/python* symlinks to the base's interpreter, lib64 -> lib, and the activate
 * scripts from the base's own venv templates (so the files equal an engine-built venv's).
 */
import { posix } from 'node:path';
import { InputError } from '../plan.js';
import { type BaseFacts, dpkgVersion, realPath } from './base.js';
import type { LayerEntry } from './tarlayer.js';

export interface PythonFacts {
  /** The interpreter the venv links to, as invoked: '/usr/local/bin/python3'. */
  exe: string;
  /** Its real path in the base: '/usr/bin/python3.11'. */
  real: string;
  /** '3.11.2' */
  version: string;
  /** '3.11' */
  minor: string;
}

export function findPython(facts: BaseFacts, want: string, env: string[], minor: string): PythonFacts {
  const pathDirs = (env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/bin:/usr/bin:/bin').split(
    ':',
  );
  const exe = want.startsWith('/')
    ? want
    : (pathDirs
        .map((d) => posix.join(d, want))
        .find((p) => realPath(facts, p) !== p || p.slice(1) in facts.links) ?? `/usr/bin/${want}`);
  const real = realPath(facts, exe);
  const m = /python(\d+\.\d+)$/.exec(real);
  const found = m?.[1];
  if (!found)
    throw new InputError(`the base image has no Python interpreter at ${exe} (it resolves to ${real})`);
  if (found !== minor)
    throw new InputError(
      `the base image's ${exe} is Python ${found}, the project wants ${minor}: pass --python ${found} or another --base-image`,
    );
  const fromEnv = env.find((e) => e.startsWith('PYTHON_VERSION='))?.slice(15);
  const fromDpkg = dpkgVersion(facts, `python${found}-minimal`) ?? dpkgVersion(facts, `python${found}`);
  const version = fromEnv ?? (fromDpkg ? (/^(?:\d+:)?(\d+\.\d+\.\d+)/.exec(fromDpkg)?.[1] ?? found) : found);
  return { exe, real, version, minor: found };
}

export function venvSkeleton(facts: BaseFacts, py: PythonFacts, venv: string): LayerEntry[] {
  const root = venv.replace(/^\/+/, '');
  const exeName = posix.basename(py.exe);
  const cfg = [
    `home = ${posix.dirname(py.exe)}`,
    'include-system-site-packages = false',
    `version = ${py.version}`,
    `executable = ${py.real}`,
    `command = ${py.exe} -m venv --without-pip ${venv}`,
    '',
  ].join('\n');
  const out: LayerEntry[] = [
    { path: root, type: 'dir', mode: 0o755 },
    { path: `${root}/pyvenv.cfg`, type: 'file', mode: 0o644, data: Buffer.from(cfg) },
    { path: `${root}/bin`, type: 'dir', mode: 0o755 },
    { path: `${root}/include/python${py.minor}`, type: 'dir', mode: 0o755 },
    { path: `${root}/lib/python${py.minor}/site-packages`, type: 'dir', mode: 0o755 },
    { path: `${root}/lib64`, type: 'symlink', mode: 0o777, linkname: 'lib' },
    { path: `${root}/bin/${exeName}`, type: 'symlink', mode: 0o777, linkname: py.exe },
  ];
  for (const alias of ['python', 'python3', `python${py.minor}`])
    if (alias !== exeName)
      out.push({ path: `${root}/bin/${alias}`, type: 'symlink', mode: 0o777, linkname: exeName });
  // Python 3.11's venv: prompt '(venv) ', __VENV_PYTHON__ is the venv's own interpreter name.
  const vars: Record<string, string> = {
    __VENV_DIR__: venv,
    __VENV_NAME__: posix.basename(venv),
    __VENV_PROMPT__:
      Number(py.minor.split('.')[1]) >= 12 ? posix.basename(venv) : `(${posix.basename(venv)}) `,
    __VENV_BIN_NAME__: 'bin',
    __VENV_PYTHON__: `${venv}/bin/${exeName}`,
  };
  const real = py.real.replace(/^\/+/, '');
  const venvPkg = `${posix.dirname(posix.dirname(real))}/lib/python${py.minor}/venv`;
  const libDir = `${venvPkg}/scripts`;
  // CPython's fix for gh-124651 (3.13, backported by Debian and others) quotes the values per script
  // type: follow what the base's own venv module does.
  const quoting = (facts.files[`${venvPkg}/__init__.py`]?.data ?? '').includes('quote = shlex.quote');
  for (const dir of ['common', 'posix']) {
    const prefix = `${libDir}/${dir}/`;
    for (const [p, f] of Object.entries(facts.files)) {
      if (!p.startsWith(prefix)) continue;
      let text = f.data;
      const quote = !quoting ? (s: string) => s : p.endsWith('.ps1') ? quotePs1 : shlexQuote;
      for (const [k, v] of Object.entries(vars)) text = text.split(k).join(quote(v));
      out.push({
        path: `${root}/bin/${p.slice(prefix.length)}`,
        type: 'file',
        mode: 0o644,
        data: Buffer.from(text, 'latin1'),
      });
    }
  }
  return out;
}

export function shlexQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

function quotePs1(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
