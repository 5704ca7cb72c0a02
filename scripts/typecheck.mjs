// `npm run typecheck`: tsc and svelte-check at once (each uses one core; on the 2-core CI
// machine that saves ~20 s of `npm test`). Either failing fails the whole, with its output.
import { spawn } from 'node:child_process';

const checks = [
  ['tsc', ['--noEmit', '-p', 'tsconfig.json']],
  ['svelte-check', ['--tsconfig', './tsconfig.json', '--threshold', 'warning', '--output', 'machine']],
];

function run([bin, args]) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['--no-install', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', (error) => resolve({ bin, code: 1, out: `${out}${error.message}\n` }));
    child.on('close', (code) => resolve({ bin, code: code ?? 1, out }));
  });
}

const results = await Promise.all(checks.map(run));
for (const r of results) {
  process.stdout.write(`── ${r.bin} (exit ${r.code})\n${r.out}`);
}
const failed = results.filter((r) => r.code !== 0).map((r) => r.bin);
if (failed.length) {
  console.error(`typecheck failed: ${failed.join(', ')}`);
  process.exit(1);
}
