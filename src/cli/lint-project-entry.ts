/**
 * Entry of the project bundle (dist/cli/lint-project.cjs): what the linter's project-aware rules
 * read, loaded by the lint bundle only when a Python project sits beside the Dockerfile.
 *
 * zod compiles a fast path for each object schema with `new Function` on its first parse; code
 * made that way is in no code cache, and a lint process parses each lock file once, so the
 * compilation costs more than it saves. zod's interpreted path gives the same results.
 */
import { config } from 'zod';

config({ jitless: true });

export * from '../lint/project.js';
