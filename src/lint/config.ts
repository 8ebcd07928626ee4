/** `[tool.pycontain.lint]` in the pyproject.toml beside the Dockerfile: select, ignore, severity, fail-level. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../plan.js';
import type { LintConfig } from './engine.js';
import { RULES } from './rules/index.js';
import { type FailLevel, SEVERITIES, type Severity } from './types.js';

export interface FileConfig {
  config: LintConfig;
  failLevel?: FailLevel;
  /** The pyproject.toml it came from (relative to cwd), or null. */
  source: string | null;
}

const KEYS = new Set(['select', 'ignore', 'severity', 'fail-level']);

function lineOf(text: string, re: RegExp, from = 0): number | undefined {
  const m = re.exec(text.slice(from));
  return m ? text.slice(0, from + m.index).split('\n').length : undefined;
}

function knownRule(p: string): boolean {
  const q = p.trim();
  return RULES.some(
    (r) => r.id === q.toUpperCase() || r.name === q.toLowerCase() || r.id.startsWith(q.toUpperCase()),
  );
}

export async function loadLintConfig(dockerfile: string): Promise<FileConfig> {
  const file = path.join(path.dirname(dockerfile), 'pyproject.toml');
  let text: string;
  try {
    // Synchronous, like the Dockerfile read in cli.ts: node:fs/promises costs more to load than this.
    text = readFileSync(file, 'utf8');
  } catch {
    return { config: {}, source: null };
  }
  if (!/tool\s*\.\s*pycontain/.test(text)) return { config: {}, source: file };
  const { parse, TomlError } = await import('smol-toml');
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError)
      throw new InputError(`invalid TOML: ${err.message.split('\n')[0]}`, file, err.line, err.column);
    throw err;
  }
  const lint = (
    (doc.tool as Record<string, unknown> | undefined)?.pycontain as Record<string, unknown> | undefined
  )?.lint;
  if (lint === undefined) return { config: {}, source: file };
  const section = text.search(/^\s*\[\s*tool\.pycontain\.lint\s*\]/m);
  const at = (key: string) => lineOf(text, new RegExp(`^\\s*"?${key}"?\\s*[=.]`, 'm'), Math.max(section, 0));
  if (typeof lint !== 'object' || lint === null || Array.isArray(lint))
    throw new InputError('[tool.pycontain.lint] must be a table', file, lineOf(text, /tool\.pycontain/));
  const out: FileConfig = { config: {}, source: file };
  for (const [key, value] of Object.entries(lint as Record<string, unknown>)) {
    if (!KEYS.has(key))
      throw new InputError(
        `[tool.pycontain.lint]: unknown key '${key}' (expected ${[...KEYS].join(', ')})`,
        file,
        at(key),
      );
    if (key === 'select' || key === 'ignore') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        throw new InputError(
          `[tool.pycontain.lint] ${key} must be a list of rule ids or names`,
          file,
          at(key),
        );
      const unknown = value.filter((v) => !knownRule(v));
      if (unknown.length > 0)
        throw new InputError(
          `[tool.pycontain.lint] ${key}: unknown rule ${unknown.join(', ')}`,
          file,
          at(key),
        );
      out.config[key] = value as string[];
    } else if (key === 'severity') {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new InputError(
          '[tool.pycontain.lint] severity must be a table such as { PC104 = "error" }',
          file,
          at(key),
        );
      const sev: Record<string, Severity | 'off'> = {};
      for (const [id, level] of Object.entries(value as Record<string, unknown>)) {
        const rule = RULES.find((r) => r.id === id.toUpperCase() || r.name === id.toLowerCase());
        if (!rule)
          throw new InputError(`[tool.pycontain.lint] severity: unknown rule ${id}`, file, at(key) ?? at(id));
        if (
          typeof level !== 'string' ||
          !(level === 'off' || (SEVERITIES as readonly string[]).includes(level))
        )
          throw new InputError(
            `[tool.pycontain.lint] severity.${id} must be one of ${SEVERITIES.join(', ')}, off`,
            file,
            at(key),
          );
        sev[rule.id] = level as Severity | 'off';
      }
      out.config.severity = sev;
    } else if (key === 'fail-level') {
      if (
        typeof value !== 'string' ||
        !(value === 'none' || (SEVERITIES as readonly string[]).includes(value))
      )
        throw new InputError(
          `[tool.pycontain.lint] fail-level must be one of ${SEVERITIES.join(', ')}, none`,
          file,
          at(key),
        );
      out.failLevel = value as FailLevel;
    }
  }
  return out;
}
