// Settings shared by the e2e server (playwright.config.ts) and the tests.

/** The e2e server's bearer token for GET /api/metrics (a test value, no secret). */
export const METRICS_TOKEN = 'e2e-metrics';
