// The whole point is joining over narrow links: the JS + CSS the page needs before it
// can join must stay within 150 KB gzip. Runs against the real production build.
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';

const dir = 'dist/client';

// Needs `npm run build` first (npm test builds before vitest); under CI a missing build fails.
it('initial JS + CSS <= 150 KB gzip', (ctx) => {
  if (!existsSync(`${dir}/index.html`)) {
    if (process.env.CI) throw new Error('no production build in dist/client: run `npm run build` first');
    console.warn('[bundle] skipping: no build in dist/client (run `npm run build`)');
    return ctx.skip();
  }
  const html = readFileSync(`${dir}/index.html`, 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
  const total = assets.reduce((sum, a) => sum + gzipSync(readFileSync(`${dir}/${a}`), { level: 9 }).length, 0);
  console.log(`initial JS+CSS: ${(total / 1024).toFixed(1)} KB gzip`);
  expect(total).toBeLessThanOrEqual(150 * 1024);
});
