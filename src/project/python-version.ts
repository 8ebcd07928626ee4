import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { type Decision, InputError, type Source, type Warning } from '../plan.js';
import { baseImagesData } from './images.js';
import { compareMinor, minorsSatisfying } from './pep440.js';
import { poetryToPep440 } from './poetry-constraint.js';
import type { PyProject } from './pyproject.js';
import {
  findRelease,
  isEndOfLife,
  isMature,
  latestPatch,
  MATURE_MONTHS,
  pythonReleases,
} from './python-releases.js';

/**
 * Which CPython minor the image gets. Precedence, first match wins:
 *   1. an override: `--python` on the command line, then `[tool.pycontain] python-version`;
 *   2. `.python-version` (pyenv, uv, mise all write it: the developer's own interpreter);
 *   3. `runtime.txt` (`python-3.11.4`, Heroku style);
 *   4. `.tool-versions` (asdf / mise: `python 3.11.4`);
 *   5. Pipfile `[requires] python_full_version`, then `python_version`;
 *   6. the range the project admits: `requires-python` of pyproject.toml and uv.lock, Poetry's
 *      `python` dependency (translated to PEP 440) — the newest released minor inside all of them;
 *   7. the newest stable CPython minor.
 * Without a pin (6, 7) pycontain picks among the admitted minors: only ones released at least
 * MATURE_MONTHS ago unless the lock names wheel files, no newer than a ceiling set by pinned packages
 * or locked wheels, and a distroless image's minor when --distroless asks for one.
 * Explicit pins (1-5) name an exact interpreter and beat ranges (6), which only bound it. Files in
 * the app directory are read before the repository root. A pin outside the admitted range is kept
 * (the user asked for it) with a 'python-conflict' warning; an end-of-life minor gets 'python-eol'.
 */

export interface PythonConstraint {
  /** PEP 440 specifier ('>=3.9,<3.13'). */
  spec: string;
  /** What it is, for messages: 'requires-python', 'uv.lock requires-python', 'Poetry python'. */
  label: string;
  source: Source;
  /** Alternatives of one `||` constraint share a group: union inside a group, intersection across. */
  group?: string;
}

export interface PythonPin {
  /** As written ('3.11.4'). */
  raw: string;
  minor: string;
  label: string;
  source: Source;
}

export interface PythonVersionInput {
  /** Scanned root, absolute. */
  root: string;
  /** App directory relative to root ('.' at the top). */
  appDir: string;
  /** Directories read after the app's and before the top (a uv workspace root). */
  alsoDirs?: string[];
  override?: { value: string; source: Source; label: string };
  pipfileRequires?: {
    python_version?: string;
    python_full_version?: string;
    file: string;
    line?: (key: string) => number | undefined;
  };
  constraints: PythonConstraint[];
  /** Poetry constraints (`^3.10`), translated here with poetryToPep440. */
  poetryConstraints?: { spec: string; label: string; source: Source }[];
  /**
   * The Python minor a --base-image / base-image override runs, read from its tag
   * ('registry/python:3.11-slim'). Without a pin it wins over the newest release, when admitted.
   */
  baseImage?: { minor: string; ref: string; source: Source };
  /**
   * Without a pin, choose no minor newer than this one (when one that old is admitted): locked binary
   * dependencies publish no wheel for the newer ones, or pinned packages predate them. `source` is
   * the pin that sets it.
   */
  ceiling?: { minor: string; reason: string; source?: Source };
  /**
   * The lock names the wheel files it installs (uv, Poetry, PDM): the ceiling above is then computed
   * from real wheels and any released minor may be chosen. Without it (no lock, hashed requirements,
   * Pipfile.lock) only minors released at least MATURE_MONTHS ago are picked on pycontain's own.
   */
  wheelEvidence?: boolean;
  /**
   * Trove classifiers `Programming Language :: Python :: 3.X` the project lists: a hint, never a
   * bound. Without a pin the choice goes no newer than the newest listed minor, unless that would
   * mean an end-of-life one (classifiers go stale).
   */
  classifiers?: { minors: string[]; source: Source };
  /** Without a pin, prefer the newest admitted minor of these (the Pythons of the distroless images). */
  prefer?: { minors: string[]; reason: string };
  today?: Date | string;
}

export interface PythonVersionResult {
  version: string;
  /** How it was chosen: a pin, the base image's tag, the newest minor a range admits, or the newest release. */
  by: 'pin' | 'image' | 'range' | 'default';
  decision: Decision;
  decisions: Decision[];
  warnings: Warning[];
}

const rel = (root: string, abs: string) => path.relative(root, abs).split(path.sep).join('/') || '.';

async function readLines(file: string): Promise<string[] | null> {
  try {
    return (await fsp.readFile(file, 'utf8')).split(/\r?\n/);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return null;
    throw err;
  }
}

const CPYTHON = /^(?:cpython-|python-?)?(\d+)\.(\d+)(?:\.(\d+))?(?:(?:a|b|rc)\d+)?(t)?(?:-dev)?$/i;

interface PinScan {
  pins: PythonPin[];
  warnings: Warning[];
  notes: string[];
}

/** `.python-version`: one version per line (pyenv allows several; the first usable one is the interpreter). */
export function parsePythonVersionFile(lines: string[], file: string): PinScan {
  const out: PinScan = { pins: [], warnings: [], notes: [] };
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const source = { file, line: i + 1 };
    if (line === 'system') {
      out.notes.push(`${file}:${i + 1} says "system" (whatever python is on PATH): not a version, skipped`);
      return;
    }
    if (/^(pypy|graalpy|jython|ironpython|stackless|micropython)/i.test(line)) {
      out.warnings.push({
        code: 'python-implementation',
        message: `${file}:${i + 1} asks for ${line}; pycontain builds CPython images only, so this line is ignored`,
        source,
      });
      return;
    }
    if (/^(anaconda|miniconda|miniforge|mambaforge)/i.test(line)) {
      out.warnings.push({
        code: 'python-implementation',
        message: `${file}:${i + 1} names a conda distribution (${line}); ignored`,
        source,
      });
      return;
    }
    const m = CPYTHON.exec(line);
    if (!m) {
      out.warnings.push({
        code: 'python-version-unreadable',
        message: `${file}:${i + 1}: "${line}" is not a Python version; ignored`,
        source,
      });
      return;
    }
    if (m[4])
      out.notes.push(
        `${file}:${i + 1} asks for the free-threaded build ${line}; the official images are the default build`,
      );
    out.pins.push({ raw: line, minor: `${m[1]}.${m[2]}`, label: file, source });
  });
  return out;
}

/** `runtime.txt`: `python-3.11.4`. */
export function parseRuntimeTxt(lines: string[], file: string): PinScan {
  const out: PinScan = { pins: [], warnings: [], notes: [] };
  const i = lines.findIndex((l) => l.trim() !== '');
  if (i < 0) return out;
  const line = (lines[i] ?? '').trim();
  const m = /^python-(\d+)\.(\d+)(?:\.(\d+))?$/.exec(line);
  if (m)
    out.pins.push({
      raw: line.slice('python-'.length),
      minor: `${m[1]}.${m[2]}`,
      label: file,
      source: { file, line: i + 1 },
    });
  else
    out.warnings.push({
      code: 'python-version-unreadable',
      message: `${file}:${i + 1}: "${line}" is not of the form python-3.X.Y; ignored`,
      source: { file, line: i + 1 },
    });
  return out;
}

/** `.tool-versions`: `python 3.11.4 3.10.13` (asdf uses the first version listed). */
export function parseToolVersions(lines: string[], file: string): PinScan {
  const out: PinScan = { pins: [], warnings: [], notes: [] };
  lines.forEach((raw, i) => {
    const parts = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (parts[0] !== 'python' || parts.length < 2) return;
    const scan = parsePythonVersionFile([parts[1] ?? ''], file);
    for (const p of scan.pins) out.pins.push({ ...p, source: { file, line: i + 1 } });
    for (const w of scan.warnings)
      out.warnings.push({
        ...w,
        message: w.message.replace(`${file}:1`, `${file}:${i + 1}`),
        source: { file, line: i + 1 },
      });
  });
  return out;
}

function knownMinor(minor: string, source: Source, label: string): void {
  if (findRelease(minor)) return;
  const all = pythonReleases().map((r) => r.minor);
  throw new InputError(
    `${label} asks for Python ${minor}, which is not a CPython release pycontain knows (${all[0]} … ${all[all.length - 1]}); fix the version or set [tool.pycontain] python-version`,
    source.file,
    source.line,
  );
}

function fmt(s: Source): string {
  return `${s.file}${s.line ? `:${s.line}` : ''}`;
}

export async function resolvePythonVersion(input: PythonVersionInput): Promise<PythonVersionResult> {
  const today = input.today ?? new Date();
  const warnings: Warning[] = [];
  const decisions: Decision[] = [];
  const notes: string[] = [];
  const dirs = [...new Set([input.appDir, ...(input.alsoDirs ?? []), '.'])];

  // Explicit pins in precedence order.
  const pins: PythonPin[] = [];
  if (input.override) {
    const m = /^(\d+)\.(\d+)/.exec(input.override.value);
    if (!m)
      throw new InputError(
        `${input.override.label}: "${input.override.value}" is not a Python version like 3.12`,
        input.override.source.file,
        input.override.source.line,
      );
    pins.push({
      raw: input.override.value,
      minor: `${m[1]}.${m[2]}`,
      label: input.override.label,
      source: input.override.source,
    });
  }
  const fileKinds: [string, (l: string[], f: string) => PinScan][] = [
    ['.python-version', parsePythonVersionFile],
    ['runtime.txt', parseRuntimeTxt],
    ['.tool-versions', parseToolVersions],
  ];
  for (const [name, parser] of fileKinds) {
    for (const d of dirs) {
      const abs = path.join(input.root, d, name);
      const lines = await readLines(abs);
      if (!lines) continue;
      const scan = parser(lines, rel(input.root, abs));
      pins.push(...scan.pins.slice(0, 1));
      if (scan.pins.length > 1)
        notes.push(
          `${fmt(scan.pins[1]?.source as Source)} lists another version (${scan.pins
            .slice(1)
            .map((p) => p.raw)
            .join(', ')}): pyenv uses the first`,
        );
      warnings.push(...scan.warnings);
      notes.push(...scan.notes);
    }
  }
  if (input.pipfileRequires) {
    const pr = input.pipfileRequires;
    for (const key of ['python_full_version', 'python_version'] as const) {
      const v = pr[key];
      if (!v) continue;
      const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(v.trim());
      const source = { file: pr.file, ...(pr.line?.(key) ? { line: pr.line(key) } : {}) };
      if (!m) {
        warnings.push({
          code: 'python-version-unreadable',
          message: `${fmt(source)}: ${key} = "${v}" is not a version; ignored`,
          source,
        });
        continue;
      }
      pins.push({ raw: v, minor: `${m[1]}.${m[2]}`, label: `${pr.file} [requires] ${key}`, source });
    }
  }

  // Ranges: requires-python and friends, intersected.
  const released = pythonReleases()
    .filter((r) => r.released <= (typeof today === 'string' ? today : today.toISOString().slice(0, 10)))
    .map((r) => r.minor);
  const patches: Record<string, number> = {};
  for (const m of released) patches[m] = latestPatch(m) ?? 40;
  const constraints: PythonConstraint[] = [...input.constraints];
  for (const pc of input.poetryConstraints ?? []) {
    try {
      const t = poetryToPep440(pc.spec) as string | string[];
      const alts = Array.isArray(t) ? t : [t];
      // An OR of ranges: a minor is admitted when any alternative admits it; encode as a union below.
      constraints.push(
        ...alts.map((spec) => ({
          spec,
          label: `${pc.label} "${pc.spec}", i.e.`,
          source: pc.source,
          group: pc.label,
        })),
      );
    } catch (err) {
      warnings.push({
        code: 'python-version-unreadable',
        message: `${fmt(pc.source)}: Poetry python constraint "${pc.spec}" could not be read (${(err as Error).message}); ignored`,
        source: pc.source,
      });
    }
  }
  // Group alternatives by label prefix (Poetry `||`): union inside a group, intersection across groups.
  const groups = new Map<string, { constraints: PythonConstraint[]; minors: Set<string> }>();
  for (const c of constraints) {
    const key = c.group ?? `${c.label}@${fmt(c.source)}`;
    let minors: string[];
    try {
      minors = minorsSatisfying(c.spec, released, patches);
    } catch {
      warnings.push({
        code: 'python-version-unreadable',
        message: `${fmt(c.source)}: ${c.label} "${c.spec}" is not a valid specifier; ignored`,
        source: c.source,
      });
      continue;
    }
    const g = groups.get(key) ?? { constraints: [], minors: new Set<string>() };
    g.constraints.push(c);
    for (const m of minors) g.minors.add(m);
    groups.set(key, g);
  }
  let admitted: string[] | null = null;
  for (const g of groups.values()) admitted = (admitted ?? released).filter((m) => g.minors.has(m));
  const rangeText = [...groups.values()].map(
    (g) =>
      `${g.constraints[0]?.label} "${g.constraints.map((c) => c.spec).join(' || ')}" (${fmt(g.constraints[0]?.source as Source)})`,
  );
  // With one range its location is the decision's source already: do not repeat it in the reason.
  const rangeReason =
    groups.size === 1
      ? [...groups.values()].map(
          (g) => `${g.constraints[0]?.label} "${g.constraints.map((c) => c.spec).join(' || ')}"`,
        )
      : rangeText;

  let version: string;
  let by: PythonVersionResult['by'] = 'pin';
  let decision: Decision;
  const pin = pins[0];
  if (pin) {
    knownMinor(pin.minor, pin.source, pin.label);
    version = pin.minor;
    const patchNote =
      pin.raw !== pin.minor && /^\d+\.\d+\.\d+/.test(pin.raw)
        ? `; images are tagged per minor, so the patch (${pin.raw}) is not pinned`
        : '';
    decision = {
      topic: 'pythonVersion',
      value: version,
      reason: `${pin.label} pins ${pin.raw}${patchNote}`,
      source: pin.source,
    };
    for (const other of pins.slice(1)) {
      const same = other.minor === version;
      decisions.push({
        topic: 'pythonVersion (ignored)',
        value: other.raw,
        reason: `${other.label} ${same ? 'agrees' : `would give ${other.minor}`}, but ${pin.label} takes precedence`,
        source: other.source,
      });
      if (!same)
        warnings.push({
          code: 'python-mismatch',
          message: `${fmt(other.source)} says Python ${other.raw} but ${fmt(pin.source)} says ${pin.raw}; using ${version}`,
          source: other.source,
        });
    }
    if (admitted !== null && !admitted.includes(version)) {
      warnings.push({
        code: 'python-conflict',
        message: `Python ${version} (from ${fmt(pin.source)}) is outside what the project admits: ${rangeText.join(' and ')}`,
        source: pin.source,
      });
    } else if (rangeText.length) {
      decisions.push({
        topic: 'pythonVersion (range)',
        value: rangeReason.join('; '),
        reason: `admits ${version}`,
        source: [...groups.values()][0]?.constraints[0]?.source,
      });
    }
  } else if (admitted !== null) {
    if (admitted.length === 0) {
      const first = [...groups.values()][0]?.constraints[0];
      throw new InputError(
        `no released CPython satisfies ${rangeText.join(' and ')}; set [tool.pycontain] python-version or .python-version`,
        first?.source.file,
        first?.source.line,
      );
    }
    const first = [...groups.values()][0]?.constraints[0];
    const hint = input.baseImage;
    if (hint && admitted.includes(hint.minor)) {
      version = hint.minor;
      by = 'image';
      decision = {
        topic: 'pythonVersion',
        value: version,
        reason: `the base image ${hint.ref} runs Python ${version} (its tag), admitted by ${rangeReason.join(' and ')}`,
        source: hint.source,
      };
    } else {
      const pick = chooseUnpinned(admitted, input, today);
      version = pick.version;
      by = 'range';
      decision = {
        topic: 'pythonVersion',
        value: version,
        reason: pick.steps.length
          ? `admitted by ${rangeReason.join(' and ')}: ${pick.steps.join('; ')}`
          : `newest released CPython admitted by ${rangeReason.join(' and ')}`,
        ...(first ? { source: first.source } : {}),
      };
      decisions.push(...pick.decisions);
      warnings.push(...pick.warnings);
    }
  } else if (input.baseImage) {
    version = input.baseImage.minor;
    by = 'image';
    decision = {
      topic: 'pythonVersion',
      value: version,
      reason: `the base image ${input.baseImage.ref} runs Python ${version} (its tag); the project pins no version`,
      source: input.baseImage.source,
    };
  } else {
    const pick = chooseUnpinned(released, input, today);
    version = pick.version;
    by = 'default';
    const none =
      'no .python-version, runtime.txt, .tool-versions, Pipfile [requires] or requires-python found';
    decision = {
      topic: 'pythonVersion',
      value: version,
      reason: pick.steps.length ? `${none}: ${pick.steps.join('; ')}` : `${none}: the newest stable CPython`,
      ...(input.ceiling?.source && version === input.ceiling.minor ? { source: input.ceiling.source } : {}),
    };
    // The step down is this decision's own reason and source here: no second entry for it.
    decisions.push(...pick.decisions.filter((d) => !decision.source || d.source !== decision.source));
    warnings.push(...pick.warnings);
  }
  if (notes.length) decision.reason += ` (${notes.join('; ')})`;
  if (isEndOfLife(version, today)) {
    const r = findRelease(version);
    warnings.push({
      code: 'python-eol',
      message: `Python ${version} reached end of life on ${r?.endOfLife ?? 'an earlier date'} and gets no security fixes; move to a supported minor`,
      ...(decision.source ? { source: decision.source } : {}),
    });
  }
  return { version, by, decision, decisions, warnings };
}

interface UnpinnedPick {
  version: string;
  /** Why the newest candidate was not taken, in order; empty when it was. */
  steps: string[];
  decisions: Decision[];
  warnings: Warning[];
}

/**
 * The minor pycontain picks itself among `candidates` (admitted by the project's ranges, or every
 * released one), newest first, narrowed in turn by: the release-age rule (without wheel evidence),
 * the classifier hint, the ceiling (pins or locked wheels), the preferred minors (distroless). A narrowing that would
 * leave nothing is skipped, so a range is never left.
 */
function chooseUnpinned(candidates: string[], input: PythonVersionInput, today: Date | string): UnpinnedPick {
  let pool = [...candidates].sort(compareMinor);
  const newest = pool[pool.length - 1] as string;
  const steps: string[] = [];
  const decisions: Decision[] = [];
  const warnings: Warning[] = [];
  if (!input.wheelEvidence) {
    const mature = pool.filter((m) => isMature(m, today));
    const young = pool.filter((m) => !isMature(m, today));
    if (mature.length && young.length) {
      pool = mature;
      const r = findRelease(newest);
      steps.push(
        `the newest CPython released at least ${MATURE_MONTHS} months ago (${newest} came out on ${r?.released}: binary wheels for a new minor take months to appear, and no lock here names wheel files to prove them)`,
      );
    }
  }
  const hint = input.classifiers;
  if (hint?.minors.length) {
    const top = [...hint.minors].sort(compareMinor)[hint.minors.length - 1] as string;
    const hinted = pool.filter((m) => compareMinor(m, top) <= 0 && !isEndOfLife(m, today));
    if (hinted.length && hinted.length < pool.length) {
      pool = hinted;
      steps.push(
        `no newer than ${top}, the newest minor the classifiers of ${fmt(hint.source)} list (a hint: they are not a bound)`,
      );
    }
  }
  const ceiling = input.ceiling;
  if (ceiling) {
    const capped = pool.filter((m) => compareMinor(m, ceiling.minor) <= 0);
    const top = pool[pool.length - 1] as string;
    if (capped.length && capped.length < pool.length) {
      pool = capped;
      steps.push(`stepped down to ${pool[pool.length - 1]}, the newest that ${ceiling.reason}`);
      decisions.push({
        topic: 'pythonVersion (step down)',
        value: `${top} -> ${pool[pool.length - 1]}`,
        reason: `the newest minor that ${ceiling.reason}`,
        ...(ceiling.source ? { source: ceiling.source } : {}),
      });
    } else if (!capped.length) {
      pool = pool.slice(0, 1);
      warnings.push({
        code: 'python-too-new',
        message: `Python ${ceiling.minor} is the newest that ${ceiling.reason}, but the project admits nothing older than ${pool[0]}: using ${pool[0]}, expect source builds or a failed install`,
        ...(ceiling.source ? { source: ceiling.source } : {}),
      });
    }
  }
  const prefer = input.prefer;
  if (prefer) {
    const p = pool.filter((m) => prefer.minors.includes(m));
    if (p.length && p[p.length - 1] !== pool[pool.length - 1]) steps.push(prefer.reason);
    if (p.length) pool = p;
  }
  return { version: pool[pool.length - 1] as string, steps, decisions, warnings };
}

/** The minors the distroless images carry (Debian's own interpreters), for `prefer` under --distroless. */
export function distrolessPreference(): { minors: string[]; reason: string } {
  const images = baseImagesData().distroless;
  return {
    minors: [...new Set(images.map((d) => d.python))],
    reason: `--distroless: the newest of the minors a distroless image carries (${images.map((d) => `${d.image} has ${d.python}`).join(', ')})`,
  };
}

/** `Programming Language :: Python :: 3.X` classifiers of [project] or [tool.poetry], with their line. */
export function classifierHint(pp: PyProject | null | undefined): PythonVersionInput['classifiers'] {
  if (!pp) return undefined;
  for (const [table, list] of [
    ['project', (pp.project as Record<string, unknown> | null)?.classifiers],
    ['tool.poetry', (pp.poetry as Record<string, unknown> | null)?.classifiers],
  ] as const) {
    if (!Array.isArray(list)) continue;
    const minors = list
      .map((c) =>
        typeof c === 'string' ? /^Programming Language :: Python :: (3\.\d+)\s*$/.exec(c)?.[1] : undefined,
      )
      .filter((m): m is string => Boolean(m && findRelease(m)));
    if (minors.length) return { minors, source: { file: pp.file, line: pp.line(table, 'classifiers') } };
  }
  return undefined;
}
