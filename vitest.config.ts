import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Compiles runes in client `.svelte.ts` state classes, so they are unit-tested in Node.
  plugins: [svelte()],
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/netem/**/*.test.ts', 'tests/phone/**/*.test.ts', '{server,client,protocol,netem,bench,wasm}/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files each start mediasoup workers or network namespaces: one file at a time.
    fileParallelism: false,
  },
});
