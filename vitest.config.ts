import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles runes in client `.svelte.ts` state classes, so they are unit-tested in Node.
  plugins: [svelte()],
  test: {
    setupFiles: ['tests/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        // Pure logic, no shared resources: files run in parallel, on both cores (vitest's
        // default leaves one free).
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', '{server,client,protocol,netem,bench,wasm}/**/*.test.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Integration files each start mediasoup workers, network namespaces or SIP peers, and
        // several judge timing: one file at a time, after the unit tests (not beside them).
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/netem/**/*.test.ts', 'tests/phone/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
