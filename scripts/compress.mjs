// Precompresses the built client (brotli + gzip, max level) and enforces the bundle budget:
// the initial JS + CSS a browser must fetch before it can join stays <= 150 KB gzip.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const BUDGET_GZIP_BYTES = 150 * 1024;
const dir = process.argv[2] ?? 'dist/client';

function* walk(d) {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) yield* walk(p); else yield p;
  }
}

/** Files the HTML loads up front (module scripts, their modulepreloads, stylesheets). */
export function initialAssets(html) {
  return [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
}

const rows = [];
for (const path of walk(dir)) {
  if (!/\.(js|css|html|svg|json|wasm|txt)$/.test(path)) continue;
  const body = readFileSync(path);
  const gz = gzipSync(body, { level: 9 });
  // Quality 11 takes minutes on the 32 MB ffmpeg core; 9 is within 3 % of it there.
  const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: body.length > 2_000_000 ? 9 : 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  writeFileSync(path + '.gz', gz);
  writeFileSync(path + '.br', br);
  rows.push({ file: relative(dir, path), raw: body.length, gzip: gz.length, brotli: br.length });
}
const initial = initialAssets(readFileSync(join(dir, 'index.html'), 'utf8'));
const initialGzip = rows.filter((r) => initial.includes(r.file)).reduce((s, r) => s + r.gzip, 0);
const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KB';
console.log('\n  file                                   raw      gzip    brotli');
for (const r of rows.sort((a, b) => b.gzip - a.gzip)) console.log(`  ${r.file.padEnd(34)} ${kb(r.raw)} ${kb(r.gzip)} ${kb(r.brotli)}`);
console.log(`\n  initial JS+CSS: ${kb(initialGzip)} gzip (budget ${kb(BUDGET_GZIP_BYTES)})`);
// Recording tools load only when a recording is exported or audio minutes start.
const LAZY = /ffmpeg|encoderWorker|recorder\.min|capture|export-/;
const eager = initial.filter((f) => LAZY.test(f));
console.log(`  lazy only (never initial): ffmpeg.wasm, opus-recorder, capture: ${eager.length === 0 ? 'yes' : `NO: ${eager.join(', ')}`}\n`);
if (eager.length > 0) { console.error('  recording tools leaked into the initial bundle'); process.exit(1); }
writeFileSync(join(dir, 'bundle-sizes.json'), JSON.stringify({ initialGzip, budget: BUDGET_GZIP_BYTES, files: rows }, null, 1));
if (initialGzip > BUDGET_GZIP_BYTES) {
  console.error('  bundle budget exceeded');
  process.exit(1);
}
