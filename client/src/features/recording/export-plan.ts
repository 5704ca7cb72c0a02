// How the parts of a resumed video recording become one file: the ffmpeg commands, pure so
// that a Node test runs them with a real ffmpeg. Chromium's WebM muxer numbers its tracks in
// the order their first frames arrive, so one part may hold audio as its first track and the
// next part video: the concat demuxer joins streams by index, and would feed one part's VP8
// frames to the Opus decoder (the audio after a reload decoded as noise). So every part is
// first copied with video first and audio second, then the copies are joined.
export interface ExportPlan {
  /** Small files to write before running the commands (name → text). */
  files: Record<string, string>;
  /** ffmpeg argument lists, run in order; each must exit 0. */
  commands: string[][];
  output: string;
}

export function exportPlan(inputs: string[], output = 'out.webm'): ExportPlan {
  if (inputs.length === 0) throw new Error('exportPlan: inputs is empty');
  const ordered = (input: string, out: string) => ['-i', input, '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', out];
  if (inputs.length === 1) return { files: {}, commands: [ordered(inputs[0]!, output)], output };
  const copies = inputs.map((_, i) => `ordered${i + 1}.webm`);
  return {
    files: { 'parts.txt': copies.map((n) => `file '${n}'`).join('\n') },
    commands: [
      ...inputs.map((input, i) => ordered(input, copies[i]!)),
      ['-f', 'concat', '-safe', '0', '-i', 'parts.txt', '-c', 'copy', output],
    ],
    output,
  };
}
