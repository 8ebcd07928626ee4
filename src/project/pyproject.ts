import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../plan.js';
import { findKeyLine, getPath, isTable, parseToml, type TomlTable } from './toml.js';

/**
 * The parts of pyproject.toml pycontain reads: PEP 621 `[project]`, PEP 735 `[dependency-groups]`,
 * `[build-system]`, `[tool.poetry]`, `[tool.uv]`, `[tool.pdm]`, `[tool.pycontain]`.
 * Shapes are checked with zod so that a wrong type (e.g. `dependencies = "flask"`) is an InputError
 * at the key's line instead of a crash later.
 */

const strList = z.array(z.string());

const projectSchema = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  'requires-python': z.string().optional(),
  dependencies: strList.optional(),
  'optional-dependencies': z.record(z.string(), strList).optional(),
  readme: z
    .union([z.string(), z.looseObject({ file: z.string().optional(), text: z.string().optional() })])
    .optional(),
  scripts: z.record(z.string(), z.string()).optional(),
  'gui-scripts': z.record(z.string(), z.string()).optional(),
  dynamic: strList.optional(),
});

const buildSystemSchema = z.looseObject({
  requires: strList.optional(),
  'build-backend': z.string().optional(),
});

const poetryDep = z.union([z.string(), z.looseObject({}), z.array(z.looseObject({}))]);
const poetrySchema = z.looseObject({
  name: z.string().optional(),
  version: z.string().optional(),
  readme: z.union([z.string(), strList]).optional(),
  dependencies: z.record(z.string(), poetryDep).optional(),
  'dev-dependencies': z.record(z.string(), poetryDep).optional(),
  group: z
    .record(
      z.string(),
      z.looseObject({
        dependencies: z.record(z.string(), poetryDep).optional(),
        optional: z.boolean().optional(),
      }),
    )
    .optional(),
  source: z
    .array(
      z.looseObject({
        name: z.string(),
        url: z.string().optional(),
        priority: z.string().optional(),
        default: z.boolean().optional(),
        secondary: z.boolean().optional(),
      }),
    )
    .optional(),
  scripts: z.record(z.string(), z.union([z.string(), z.looseObject({})])).optional(),
  packages: z
    .array(z.looseObject({ include: z.string().optional(), from: z.string().optional() }))
    .optional(),
  'package-mode': z.boolean().optional(),
  extras: z.record(z.string(), strList).optional(),
});

const uvIndex = z.looseObject({
  name: z.string().optional(),
  url: z.string(),
  default: z.boolean().optional(),
  explicit: z.boolean().optional(),
});
const uvSchema = z.looseObject({
  'dev-dependencies': strList.optional(),
  package: z.boolean().optional(),
  workspace: z.looseObject({ members: strList.optional(), exclude: strList.optional() }).optional(),
  sources: z.record(z.string(), z.unknown()).optional(),
  index: z.array(uvIndex).optional(),
  'index-url': z.string().optional(),
  'extra-index-url': strList.optional(),
});

const pdmSchema = z.looseObject({
  source: z
    .array(
      z.looseObject({
        name: z.string(),
        url: z.string(),
        verify_ssl: z.boolean().optional(),
        type: z.string().optional(),
      }),
    )
    .optional(),
  'dev-dependencies': z.record(z.string(), strList).optional(),
  distribution: z.boolean().optional(),
});

export interface PyProject {
  /** Relative to the scanned root. */
  file: string;
  text: string;
  data: TomlTable;
  project: z.infer<typeof projectSchema> | null;
  buildSystem: z.infer<typeof buildSystemSchema> | null;
  poetry: z.infer<typeof poetrySchema> | null;
  uv: z.infer<typeof uvSchema> | null;
  pdm: z.infer<typeof pdmSchema> | null;
  /** `[tool.pycontain]`, validated later by overrides.ts. */
  pycontain: TomlTable | null;
  dependencyGroups: Record<string, unknown[]> | null;
  /** 1-based line of `key` in `table` ('' = top level), for decision sources. */
  line(table: string, key?: string): number | undefined;
}

function check<T>(schema: z.ZodType<T>, value: unknown, file: string, text: string, table: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const keyPath = (issue?.path ?? []).map(String);
  // Point at the deepest key we can find a line for.
  let line: number | undefined;
  for (let n = keyPath.length; n >= 1 && line === undefined; n--) {
    const parent = [table, ...keyPath.slice(0, n - 1)].filter(Boolean).join('.');
    line = findKeyLine(text, parent, keyPath[n - 1]);
  }
  line ??= findKeyLine(text, table);
  const where = [table, ...keyPath].filter(Boolean).join('.');
  throw new InputError(`[${where}]: ${issue?.message ?? 'invalid value'}`, file, line);
}

export function parsePyProject(text: string, file: string): PyProject {
  const data = parseToml(text, file);
  const project =
    data.project === undefined ? null : check(projectSchema, data.project, file, text, 'project');
  const buildSystem =
    data['build-system'] === undefined
      ? null
      : check(buildSystemSchema, data['build-system'], file, text, 'build-system');
  const tool = isTable(data.tool) ? data.tool : {};
  const poetry =
    tool.poetry === undefined ? null : check(poetrySchema, tool.poetry, file, text, 'tool.poetry');
  const uv = tool.uv === undefined ? null : check(uvSchema, tool.uv, file, text, 'tool.uv');
  const pdm = tool.pdm === undefined ? null : check(pdmSchema, tool.pdm, file, text, 'tool.pdm');
  const pycontain = tool.pycontain === undefined ? null : isTable(tool.pycontain) ? tool.pycontain : null;
  if (tool.pycontain !== undefined && pycontain === null)
    throw new InputError('[tool.pycontain] must be a table', file, findKeyLine(text, 'tool', 'pycontain'));
  const groups = data['dependency-groups'];
  const dependencyGroups = isTable(groups) ? (groups as Record<string, unknown[]>) : null;
  return {
    file,
    text,
    data,
    project,
    buildSystem,
    poetry,
    uv,
    pdm,
    pycontain,
    dependencyGroups,
    line: (table, key) => findKeyLine(text, table, key),
  };
}

export async function readPyProject(root: string, rel: string): Promise<PyProject | null> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(root, rel), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parsePyProject(text, rel);
}

/**
 * A pyproject.toml that only configures tools (black, ruff, pytest) is not a project; one with
 * `[project]`, `[tool.poetry]`, `[build-system]`, a uv workspace or `[tool.pdm]` is.
 */
export function isProjectManifest(p: PyProject): boolean {
  return Boolean(
    p.project || p.poetry || p.buildSystem || p.uv?.workspace || p.pdm || getPath(p.data, 'tool.uv'),
  );
}

/** The README file the build backend reads (`readme = "README.md"` / `{file = ...}` / poetry list). */
export function readmeFiles(p: PyProject): string[] {
  const out: string[] = [];
  const r = p.project?.readme;
  if (typeof r === 'string') out.push(r);
  else if (r && typeof r === 'object' && typeof r.file === 'string') out.push(r.file);
  const pr = p.poetry?.readme;
  if (typeof pr === 'string') out.push(pr);
  else if (Array.isArray(pr)) out.push(...pr);
  return [...new Set(out)];
}

/** Poetry 2 builds PEP 621 projects with poetry-core; Poetry 1 needs `[tool.poetry]`. */
export function usesPoetryBackend(p: PyProject): boolean {
  return /poetry[._-]core|poetry\.masonry/.test(p.buildSystem?.['build-backend'] ?? '');
}

/** Names of `[project.scripts]` and `[tool.poetry.scripts]`, for the framework detector. */
export function projectScripts(p: PyProject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.project?.scripts ?? {})) out[k] = v;
  for (const [k, v] of Object.entries(p.poetry?.scripts ?? {})) {
    if (typeof v === 'string') out[k] = v;
    else if (isTable(v) && typeof v.reference === 'string') out[k] = v.reference;
  }
  return out;
}

export function projectName(p: PyProject): string | undefined {
  return p.project?.name ?? p.poetry?.name;
}
