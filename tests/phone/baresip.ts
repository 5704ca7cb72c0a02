// baresip as a real telephone in tests: its own config directory, a WAV it "speaks", a
// recording of what it hears (the sndfile module), controlled over ctrl_tcp (netstring
// JSON): dial, keypad codes, hang up. Ports are chosen free; SIP TLS takes port + 1.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcpPortFree } from '../../server/src/phone/ports.js';
import { freePort } from './sipp.js';

/** A mono 16-bit WAV of a sine tone (what the phone "says"). */
export function toneWav(path: string, freq: number, seconds: number, rate = 8000): void {
  const n = rate * seconds;
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * freq * i) / rate)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8); h.write('fmt ', 12); h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36); h.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([h, data]));
}

export class Baresip {
  readonly dir: string;
  readonly #proc: ChildProcess;
  readonly #ctl: Socket;
  readonly events: { type: string; param?: string }[] = [];
  #buf = '';
  log = '';

  private constructor(dir: string, proc: ChildProcess, ctl: Socket) {
    this.dir = dir;
    this.#proc = proc;
    this.#ctl = ctl;
    ctl.on('data', (d) => this.#read(String(d)));
    proc.stdout?.on('data', (d) => { this.log = (this.log + String(d)).slice(-20_000); });
    proc.stderr?.on('data', (d) => { this.log = (this.log + String(d)).slice(-20_000); });
  }

  static async start(opts: { number: string; toneHz: number; seconds: number }): Promise<Baresip> {
    const dir = mkdtempSync(join(tmpdir(), 'baresip-'));
    const wav = join(dir, 'speak.wav');
    toneWav(wav, opts.toneHz, opts.seconds);
    // SIP TLS binds port + 1 as well: that one must be free too (and not the control port).
    // Checking only the SIP port made a CI run fail with "Address already in use" on it.
    const ctlPort = await freePort();
    let sipPort = await freePort();
    for (let attempt = 0; sipPort > 65_000 || sipPort + 1 === ctlPort || sipPort === ctlPort || !(await tcpPortFree('127.0.0.1', sipPort + 1)); attempt++) {
      if (attempt >= 50) throw new Error('baresip: no SIP port with a free port + 1 for TLS');
      sipPort = await freePort();
    }
    writeFileSync(join(dir, 'config'), [
      'poll_method epoll', `sip_listen 127.0.0.1:${sipPort}`, 'net_interface 127.0.0.1',
      `audio_source aufile,${wav}`, 'audio_player aubridge,nil', 'audio_alert aubridge,nil',
      'module_path /usr/lib/baresip/modules',
      ...['g711', 'aufile', 'aubridge', 'sndfile', 'menu', 'account', 'ctrl_tcp'].map((m) => `module ${m}.so`),
      `ctrl_tcp_listen 127.0.0.1:${ctlPort}`, `snd_path ${dir}`, `audio_path ${dir}`, '',
    ].join('\n'));
    writeFileSync(join(dir, 'accounts'), `<sip:${opts.number}@127.0.0.1>;regint=0;answermode=manual\n`);
    const proc = spawn('baresip', ['-f', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`baresip did not start:\n${out}`)), 10_000);
      const seen = (d: Buffer) => { out += String(d); if (out.includes('baresip is ready')) { clearTimeout(timer); resolve(); } };
      proc.stdout!.on('data', seen);
      proc.stderr!.on('data', seen);
      proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`baresip exited (${code}):\n${out}`)); });
    });
    const ctl = connect(ctlPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => { ctl.once('connect', () => resolve()); ctl.once('error', reject); });
    return new Baresip(dir, proc, ctl);
  }

  #read(chunk: string): void {
    this.#buf += chunk;
    for (;;) {
      const colon = this.#buf.indexOf(':');
      if (colon < 0) return;
      const len = Number(this.#buf.slice(0, colon));
      if (this.#buf.length < colon + 1 + len + 1) return;
      const body = this.#buf.slice(colon + 1, colon + 1 + len);
      this.#buf = this.#buf.slice(colon + 2 + len);
      try {
        const m = JSON.parse(body) as { event?: boolean; type?: string; param?: string };
        if (m.event && m.type) this.events.push({ type: m.type, ...(m.param ? { param: m.param } : {}) });
      } catch { /* not JSON */ }
    }
  }

  command(command: string, params = ''): void {
    const j = JSON.stringify({ command, params, token: String(Date.now()) });
    this.#ctl.write(`${Buffer.byteLength(j)}:${j},`);
  }

  /** Keypad presses, RFC 4733, one at a time (each press takes ~100 ms on the wire). */
  async keys(digits: string, gapMs = 250): Promise<void> {
    for (const d of digits) {
      this.command('sndcode', d);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  /** What it heard: the sndfile recording of decoded audio. */
  heardFile(): string | null {
    const f = readdirSync(this.dir).find((n) => n.startsWith('dump-') && n.endsWith('-dec.wav'));
    return f ? join(this.dir, f) : null;
  }

  async stop(): Promise<void> {
    if (this.#proc.exitCode !== null) return;
    this.command('hangup');
    // Let the BYE go out (CALL_CLOSED), then end the process.
    for (let i = 0; i < 60 && !this.events.some((e) => e.type === 'CALL_CLOSED'); i++) await new Promise((r) => setTimeout(r, 50));
    this.#ctl.end();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.#proc.kill('SIGKILL'); resolve(); }, 3000);
      this.#proc.once('exit', () => { clearTimeout(timer); resolve(); });
      this.#proc.kill('SIGTERM');
    });
  }
}
