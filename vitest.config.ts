import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', '{server,client,protocol,netem,bench,wasm}/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration files each start mediasoup workers: run files one at a time on 2 cores.
    fileParallelism: false,
  },
});
