import { defineConfig } from '@playwright/test';
import { METRICS_TOKEN } from './tests/e2e/env.js';

const port = Number(process.env.THINLINE_E2E_PORT ?? 18_080);

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  // Never retried: a flaky test is fixed at its cause.
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
    },
  },
  webServer: {
    command: 'node --import tsx server/src/main.ts',
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: process.env.E2E_LOG_LEVEL ? 'pipe' : 'ignore',
    stderr: 'pipe',
    env: {
      THINLINE_PORT: String(port),
      THINLINE_RTC_PORT: '0',
      THINLINE_DATA_DIR: 'test-results/e2e-data',
      THINLINE_RECONNECT_GRACE_MS: '30000',
      THINLINE_LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      // The server's view of each downlink, for a test's diagnostics.
      THINLINE_METRICS_TOKEN: METRICS_TOKEN,
      // Phone dial-in (tests/e2e/phone.spec.ts dials it with baresip).
      THINLINE_SIP_PORT: String(port + 7000),
      THINLINE_PHONE_NUMBER: '+49 30 9999 0000',
    },
  },
});
