// Builds the kernels twice from one source: SIMD and scalar. Output in wasm/build/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src/kernels.ts');
const out = join(here, 'build');
mkdirSync(out, { recursive: true });
const asc = join(here, '../node_modules/.bin/asc');
for (const [name, flag] of [['kernels-simd', '--enable'], ['kernels-scalar', '--disable']]) {
  const target = join(out, `${name}.wasm`);
  if (existsSync(target) && statSync(target).mtimeMs > statSync(src).mtimeMs && !process.argv.includes('--force')) continue;
  execFileSync(asc, [src, '-O3', '--runtime', 'stub', '--noAssert', flag, 'simd', '--initialMemory', '2', '-o', target], { stdio: 'inherit' });
  console.log(`[wasm] ${name}.wasm ${statSync(target).size} bytes`);
}
