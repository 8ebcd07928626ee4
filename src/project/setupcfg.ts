/**
 * setuptools metadata outside pyproject.toml: `setup.cfg` (configparser format) and what a plain
 * `setup.py` states literally. Used for the Python range (`python_requires`), the dependencies of a
 * project without a lock (`install_requires`), console scripts (for the start command) and the files
 * the build reads (`long_description = file: README.md`, `version = file: VERSION`), which must be in
 * the build context and not excluded by .dockerignore.
 */

export interface SetupMetadata {
  file: string;
  name?: string;
  pythonRequires?: { spec: string; line: number };
  installRequires: { text: string; line: number }[];
  extrasRequire: Record<string, { text: string; line: number }[]>;
  /** console_scripts: name -> 'module:function'. */
  scripts: Record<string, string>;
  /** Files the build reads, relative to the setup file's directory. */
  files: string[];
}

interface IniValue {
  value: string;
  line: number;
  /** Continuation lines with their line numbers (the first entry is the value on the key line, if any). */
  lines: { text: string; line: number }[];
}

/** configparser-compatible enough for setup.cfg: sections, `=`/`:` keys, indented continuations, comments. */
export function parseIni(text: string): Record<string, Record<string, IniValue>> {
  const out: Record<string, Record<string, IniValue>> = {};
  let section: Record<string, IniValue> | null = null;
  let current: IniValue | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') {
      return;
    }
    if (/^\s/.test(raw) && current) {
      const t = raw.trim().replace(/\s+#.*$/, '');
      if (t) {
        current.lines.push({ text: t, line });
        current.value += `\n${t}`;
      }
      return;
    }
    const sec = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      const name = (sec[1] ?? '').trim();
      out[name] ??= {};
      section = out[name];
      current = null;
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && section) {
      const v = (kv[2] ?? '').trim();
      current = { value: v, line, lines: v ? [{ text: v, line }] : [] };
      section[(kv[1] ?? '').trim().toLowerCase().replace(/-/g, '_')] = current;
    }
  });
  return out;
}

/** Entries of a list-valued option: one per line, or `;`-separated on one line (setuptools' rule). */
function listOf(v: IniValue | undefined): { text: string; line: number }[] {
  if (!v) return [];
  const out: { text: string; line: number }[] = [];
  for (const l of v.lines) {
    // A `;` followed by a space starts a marker, not a new entry: split only on bare `;` lists.
    const parts =
      v.lines.length === 1 && /;\S/.test(l.text) && !/;\s*[a-z_]+\s*[<>=!]/.test(l.text)
        ? l.text.split(';')
        : [l.text];
    for (const p of parts) if (p.trim()) out.push({ text: p.trim(), line: l.line });
  }
  return out;
}

function fileDirective(v: IniValue | undefined): string[] {
  const m = /^file:\s*(.+)$/s.exec(v?.value ?? '');
  if (!m?.[1]) return [];
  return m[1]
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseSetupCfg(text: string, file: string): SetupMetadata {
  const ini = parseIni(text);
  const meta = ini.metadata ?? {};
  const opts = ini.options ?? {};
  const out: SetupMetadata = {
    file,
    installRequires: listOf(opts.install_requires),
    extrasRequire: {},
    scripts: {},
    files: [],
  };
  if (meta.name?.value) out.name = meta.name.value;
  if (opts.python_requires?.value)
    out.pythonRequires = { spec: opts.python_requires.value, line: opts.python_requires.line };
  for (const [k, v] of Object.entries(ini['options.extras_require'] ?? {})) out.extrasRequire[k] = listOf(v);
  const eps = ini['options.entry_points'] ?? {};
  for (const l of eps.console_scripts?.lines ?? []) {
    const m = /^([^=\s]+)\s*=\s*(\S+)/.exec(l.text);
    if (m?.[1] && m[2]) out.scripts[m[1]] = m[2];
  }
  out.files.push(
    ...fileDirective(meta.long_description),
    ...fileDirective(meta.version),
    ...fileDirective(meta.description),
  );
  return out;
}

/**
 * What a setup.py states as literals: `python_requires="..."`, `install_requires=[...]`,
 * `console_scripts` entries and files it opens. Computed values are invisible without running it,
 * which pycontain never does.
 */
export function scanSetupPy(text: string, file: string): SetupMetadata {
  const out: SetupMetadata = { file, installRequires: [], extrasRequire: {}, scripts: {}, files: [] };
  const lineAt = (idx: number) => text.slice(0, idx).split('\n').length;
  const pr = /python_requires\s*=\s*(['"])([^'"]+)\1/.exec(text);
  if (pr?.[2]) out.pythonRequires = { spec: pr[2], line: lineAt(pr.index) };
  const name = /\bname\s*=\s*(['"])([^'"]+)\1/.exec(text);
  if (name?.[2]) out.name = name[2];
  const ir = /install_requires\s*=\s*\[([^\]]*)\]/.exec(text);
  if (ir?.[1] !== undefined) {
    const base = ir.index + ir[0].indexOf('[') + 1;
    for (const m of ir[1].matchAll(/(['"])([^'"]+)\1/g))
      out.installRequires.push({ text: m[2] ?? '', line: lineAt(base + (m.index ?? 0)) });
  }
  const cs = /['"]console_scripts['"]\s*:\s*\[([^\]]*)\]/.exec(text);
  for (const m of cs?.[1]?.matchAll(/(['"])\s*([^=\s'"]+)\s*=\s*([^'"\s]+)\s*\1/g) ?? [])
    if (m[2] && m[3]) out.scripts[m[2]] = m[3];
  for (const m of text.matchAll(
    /\b(?:open|read_text|Path)\(\s*(?:[^)'"]*?,\s*)?(['"])([^'"]+\.(?:md|rst|txt|cfg|in)|VERSION|version)\1/g,
  ))
    if (m[2]) out.files.push(m[2]);
  return out;
}
