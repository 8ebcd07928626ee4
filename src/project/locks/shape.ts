import type { z } from 'zod';
import { InputError } from '../../plan.js';
import { nthTableLine } from './uv.js';

/**
 * Validate a parsed TOML lock against its schema. A shape error points at the `[[package]]` entry it is
 * in, else at `fallbackLine`, so the user sees which locked package is malformed.
 */
export function parseLockShape<T>(
  schema: z.ZodType<T>,
  data: unknown,
  text: string,
  file: string,
  fallbackLine: number | undefined,
): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const idx = issue?.path[1];
  const line =
    issue?.path[0] === 'package' && typeof idx === 'number'
      ? nthTableLine(text, 'package', idx)
      : fallbackLine;
  throw new InputError(`${file}: ${issue?.path.join('.')}: ${issue?.message}`, file, line);
}
