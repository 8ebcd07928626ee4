/**
 * The one loader of the knowledge tables in data/: each table is read once, on first use, and
 * validated against its zod schema, so a broken table fails with the table's name and the path of
 * the bad field instead of a TypeError deep in detect. This file sits two levels below the package
 * root (src/util/, dist/util/, and the bundles in dist/cli/), so one relative URL finds data/.
 */
import { readFileSync } from 'node:fs';

/**
 * What a table is validated with: a zod schema, or (for tables the lint bundle reads, which must not
 * load zod) a hand-written check made with {@link handSchema}.
 */
export interface DataSchema<T> {
  safeParse(
    data: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

type Output<S> = S extends DataSchema<infer T> ? T : never;

/** A schema from a check that returns the first problem ([path, message]) or null. */
export function handSchema<T>(check: (data: unknown) => [string[], string] | null): DataSchema<T> {
  return {
    safeParse(data) {
      const problem = check(data);
      return problem
        ? { success: false, error: { issues: [{ path: problem[0], message: problem[1] }] } }
        : { success: true, data: data as T };
    },
  };
}

const DATA_DIR = new URL('../../data/', import.meta.url);

/** A data table that does not match its schema: a bug in pycontain's own files, named precisely. */
export class DataTableError extends Error {
  constructor(
    readonly table: string,
    message: string,
  ) {
    super(`data/${table}: ${message}`);
    this.name = 'DataTableError';
  }
}

/**
 * Parse `text` as the table `name` with `schema`; `check` adds what a schema cannot say (duplicate
 * entries, cross references) and may derive the value callers use. Exported for tests that feed
 * broken tables.
 */
export function parseData<S extends DataSchema<unknown>, T = Output<S>>(
  name: string,
  text: string,
  schema: S,
  check?: (data: Output<S>) => T,
): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DataTableError(name, `not JSON: ${(err as Error).message}`);
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    throw new DataTableError(name, `${where}${issue?.message ?? 'does not match its schema'}`);
  }
  if (!check) return r.data as T;
  try {
    return check(r.data as Output<S>);
  } catch (err) {
    if (err instanceof DataTableError) throw err;
    throw new DataTableError(name, (err as Error).message);
  }
}

const cache = new Map<string, unknown>();

/** The table data/`name`, read and validated on first use, then cached. */
export function loadData<S extends DataSchema<unknown>, T = Output<S>>(
  name: string,
  schema: S,
  check?: (data: Output<S>) => T,
): T {
  if (!cache.has(name)) {
    const text = readFileSync(new URL(name, DATA_DIR), 'utf8');
    cache.set(name, parseData(name, text, schema, check));
  }
  return cache.get(name) as T;
}

/** The path of a table, for messages and tests. */
export function dataFile(name: string): URL {
  return new URL(name, DATA_DIR);
}
