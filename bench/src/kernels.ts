// Kernel bench in real Chromium, inside a worker: ms per frame for 1280x720 I420 ->
// 640x360 and -> 320x180 with WASM SIMD, WASM scalar, plain JS and canvas drawImage.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';

const ROOT = resolve(import.meta.dirname, '../..');
export interface KernelResult { target: string; name: string; msPerFrame: number }

export async function runKernelBench(port = 18_091): Promise<KernelResult[]> {
  const data = mkdtempSync(join(tmpdir(), 'thinline-kbench-'));
  const server = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/main.ts')], {
    cwd: ROOT, stdio: 'ignore',
    env: { ...process.env, THINLINE_PORT: String(port), THINLINE_RTC_PORT: '0', THINLINE_DATA_DIR: data, THINLINE_WORKERS: '1', THINLINE_LOG_LEVEL: 'error' },
  });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${base}/api/health`)).ok) break; } catch { /* starting */ }
      if (i > 300) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const page = await browser.newPage();
    await page.goto(base);
    const out: KernelResult[] = [];
    for (const [dw, dh] of [[640, 360], [320, 180]] as const) {
      const rows = await page.evaluate(([w, h]) => (window as unknown as { thinlineKernelBench: (w: number, h: number, n: number) => Promise<{ name: string; msPerFrame: number }[]> }).thinlineKernelBench(w, h, 200), [dw, dh] as const);
      for (const r of rows) out.push({ target: `720p->${dh}p`, ...r });
    }
    return out;
  } finally {
    await browser.close();
    server.kill('SIGTERM');
    rmSync(data, { recursive: true, force: true });
  }
}
