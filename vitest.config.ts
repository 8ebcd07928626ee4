import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests next to the code, and end-to-end tests that drive a real engine.
// The e2e project runs its files one at a time: the machine has two cores and the engine
// parallelizes inside each build already.
export default defineConfig({
  test: {
    reporters: ['default', './test/reporters/summary.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          globalSetup: ['./test/setup/tmpdir.ts'],
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/real-repos/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          globalSetup: ['./test/setup/tmpdir.ts'],
          include: ['test/e2e/**/*.e2e.test.ts'],
          // BuildKit 0.13 (the testenv's engine) panicked in its provenance walk under parallel builds;
          // the tests check images, not attestations.
          env: { BUILDX_NO_DEFAULT_ATTESTATIONS: '1' },
          testTimeout: 900_000,
          hookTimeout: 1_800_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
