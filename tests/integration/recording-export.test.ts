// The export's ffmpeg plan, run by a real ffmpeg on WebM parts like Chromium's MediaRecorder
// writes them: after a reload the second part may hold its audio as the first track.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPlan } from '../../client/src/features/recording/export-plan.js';

function ffmpeg(dir: string, args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-v', 'error', ...args], { cwd: dir, encoding: 'utf8' });
  if (r.error) throw new Error(`ffmpeg could not run (the bootstrap installs it): ${r.error.message}`);
  return { status: r.status, stderr: r.stderr };
}

/** A 2 s VP8 + Opus WebM part; `audioFirst` puts the audio track first. */
function part(dir: string, name: string, tone: number, audioFirst: boolean): void {
  const maps = audioFirst ? ['-map', '1:a', '-map', '0:v'] : ['-map', '0:v', '-map', '1:a'];
  const r = ffmpeg(dir, [
    '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=15:duration=2', '-f', 'lavfi', '-i', `sine=frequency=${tone}:sample_rate=48000:duration=2`,
    ...maps, '-c:v', 'libvpx', '-b:v', '200k', '-c:a', 'libopus', '-b:a', '32k', name,
  ]);
  expect(r.status, r.stderr).toBe(0);
}

function run(dir: string, inputs: string[]): string {
  const plan = exportPlan(inputs);
  for (const [name, text] of Object.entries(plan.files)) writeFileSync(join(dir, name), text);
  for (const args of plan.commands) { const r = ffmpeg(dir, args); expect(r.status, r.stderr).toBe(0); }
  return plan.output;
}

/** Decoding errors of the file's audio, and its decoded duration (s). */
function decodeAudio(dir: string, file: string): { errors: string; seconds: number } {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-map', '0:a', '-f', 's16le', '-ac', '1', '-ar', '8000', '-'], { cwd: dir, maxBuffer: 1 << 24 });
  return { errors: r.stderr.toString(), seconds: r.stdout.length / 2 / 8000 };
}

describe('export plan', () => {
  it('joins parts whose tracks come in different orders without mixing audio and video', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thinline-export-'));
    part(dir, 'part1.webm', 440, false);
    part(dir, 'part2.webm', 880, true);
    // The fixture recreates the bug: joined by index, part 2's VP8 frames reach the Opus decoder.
    writeFileSync(join(dir, 'naive.txt'), "file 'part1.webm'\nfile 'part2.webm'");
    expect(ffmpeg(dir, ['-f', 'concat', '-safe', '0', '-i', 'naive.txt', '-c', 'copy', 'naive.webm']).status).toBe(0);
    expect(decodeAudio(dir, 'naive.webm').errors).toMatch(/opus|invalid|error/i);

    const out = run(dir, ['part1.webm', 'part2.webm']);
    const audio = decodeAudio(dir, out);
    expect(audio.errors).toBe('');
    expect(audio.seconds).toBeGreaterThan(3.8);
    const video = ffmpeg(dir, ['-i', out, '-map', '0:v', '-f', 'null', '-']);
    expect(video.status).toBe(0);
    expect(video.stderr).toBe('');
  });

  it('copies a single part, audio first or not, with video as the first track', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thinline-export-'));
    part(dir, 'part1.webm', 440, true);
    const out = run(dir, ['part1.webm']);
    const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', out], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout.trim().split('\n')).toEqual(['vp8', 'opus']);
    expect(decodeAudio(dir, out).errors).toBe('');
  });
});
