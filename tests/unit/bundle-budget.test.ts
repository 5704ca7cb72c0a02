// The whole point is joining over narrow links: the JS + CSS the page needs before it
// can join must stay within 150 KB gzip. Runs against the real production build.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

// Joining also needs the call's code (loaded as the meeting page mounts): on the edge
// bench link (256 kbit/s) every 10 KB is ~0.3 s before the first picture. The minutes'
// Yjs loads only when the minutes panel opens.
it('the code needed to join (entry + call chunk + their imports) <= 95 KB gzip, without Yjs', (ctx) => {
  if (!existsSync(`${dir}/index.html`)) {
    if (process.env.CI) throw new Error('no production build in dist/client: run `npm run build` first');
    return ctx.skip();
  }
  const html = readFileSync(`${dir}/index.html`, 'utf8');
  const entry = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const call = readdirSync(`${dir}/assets`).filter((f) => /^call\.svelte-.*\.js$/.test(f)).map((f) => `assets/${f}`);
  expect(call).toHaveLength(1);
  // Static imports of the call chunk (dynamic ones load later, on demand).
  const seen = new Set([...entry, ...call]);
  const queue = [...call];
  while (queue.length) {
    const file = queue.shift()!;
    const code = readFileSync(`${dir}/${file}`, 'utf8');
    for (const m of code.matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) {
      const dep = `assets/${m[1]}`;
      if (!seen.has(dep)) { seen.add(dep); queue.push(dep); }
    }
  }
  const files = [...seen];
  expect(files.some((f) => /yjs/i.test(f))).toBe(false);
  expect(readFileSync(`${dir}/${call[0]}`, 'utf8')).not.toContain('Unexpected content type in insert operation'); // a Yjs message
  const total = files.reduce((sum, a) => sum + gzipSync(readFileSync(`${dir}/${a}`), { level: 9 }).length, 0);
  console.log(`join JS+CSS: ${(total / 1024).toFixed(1)} KB gzip (${files.length} files)`);
  expect(total).toBeLessThanOrEqual(95 * 1024);
});
