// Speaks every fixed phone prompt (German and English) with Debian's espeak-ng into
// dist/prompts as 8 kHz PCM, at build time, so the gateway starts with all of them ready.
// Cached: a prompt whose text did not change is not spoken again. Without espeak-ng the
// build goes on (the gateway then speaks them at its start, or stays silent and says so).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROMPTS } from '../server/src/phone/prompts.js';
import { promptFile, readWav, resample } from '../server/src/phone/speech.js';

const dir = join(import.meta.dirname, '../dist/prompts');
mkdirSync(dir, { recursive: true });
let spoken = 0;
let cached = 0;
try {
  for (const lang of ['de', 'en'] as const) {
    for (const text of Object.values(PROMPTS[lang])) {
      const file = promptFile(dir, lang, text);
      if (existsSync(file)) { cached++; continue; }
      const wav = execFileSync('espeak-ng', ['-v', lang === 'de' ? 'de' : 'en-gb', '-s', '150', '--stdout', text], { maxBuffer: 64 * 1024 * 1024 });
      const { rate, samples } = readWav(wav);
      const pcm = resample(samples, rate, 8000);
      writeFileSync(file, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      spoken++;
    }
  }
  console.log(`[prompts] ${spoken} spoken, ${cached} cached in dist/prompts`);
} catch (error) {
  console.warn(`[prompts] espeak-ng unavailable, prompts will be spoken when the phone gateway starts: ${(error as Error).message.split('\n')[0]}`);
}
