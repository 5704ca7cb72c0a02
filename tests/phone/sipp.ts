// sipp as a telephone in tests: scenarios are built here (the XML sipp runs), sipp runs
// as a child process on free ports, and the test reads its exit code and messages.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { PhoneConfig } from '../../server/src/phone/Gateway.js';
import { freeSipPort } from '../../server/src/phone/ports.js';

export const PCAP_DIR = '/usr/share/sip-tester';

/** The gateway as tests run it: loopback, a free port, UDP only unless asked. */
export function phoneConfig(overrides: Partial<PhoneConfig> = {}): PhoneConfig {
  return { port: 0, host: '127.0.0.1', publicAddress: 'localhost', mediaAddress: '127.0.0.1', number: undefined, allowedSources: null, maxCalls: 20, tcp: false, ringMs: 0, trunk: null, ...overrides };
}

/** A loopback port free for UDP and TCP (sipp and baresip listen on both). */
export function freePort(): Promise<number> {
  return freeSipPort('127.0.0.1', true);
}

const dtmfFile = (d: string) => `${PCAP_DIR}/dtmf_2833_${d === '#' ? 'pound' : d === '*' ? 'star' : d}.pcap`;

const HEAD = (from = '+4930123456789') => `From: sipp <sip:${from}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]`;

export const OFFER = (codecs = '8 101', extra = 'a=rtpmap:8 PCMA/8000\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15') => `v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP ${codecs}
${extra}`;

export function invite(offer = OFFER(), from?: string): string {
  return `<send retrans="500"><![CDATA[
INVITE sip:thinline@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
${HEAD(from)}
To: <sip:thinline@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

${offer}
]]></send>`;
}

export function inDialog(method: string, cseq: number, from?: string, body = '', type = ''): string {
  return `<send retrans="500"><![CDATA[
${method} sip:thinline@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
${HEAD(from)}
To: <sip:thinline@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: ${cseq} ${method}
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
${type ? `Content-Type: ${type}\n` : ''}Content-Length: [len]

${body}
]]></send>`;
}

export const ACK = (from?: string) => `<send><![CDATA[
ACK sip:thinline@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
${HEAD(from)}
To: <sip:thinline@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: sip:sipp@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0
]]></send>`;

/** Answers the gateway's BYE with 200 OK. */
export const RECV_BYE = `<recv request="BYE"/>
<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>`;

/** Keypad presses as RFC 4733 packets from sipp's recordings, one after another. */
export function keys(digits: string, gapMs = 350): string {
  return [...digits].map((d) => `<nop><action><exec play_pcap_audio="${dtmfFile(d)}"/></action></nop>\n<pause milliseconds="${gapMs}"/>`).join('\n');
}

export function scenario(name: string, body: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="${name}">\n${body}\n</scenario>\n`;
}

export interface SippResult { code: number; stdout: string; stderr: string; errors: string }

/** Runs one sipp scenario against the gateway; resolves when sipp exits (0: scenario passed). */
export async function runSipp(target: { host: string; port: number } | null, xml: string, opts: { calls?: number; rate?: number; transport?: 'u1' | 't1'; timeoutS?: number; port?: number; extraArgs?: string[] } = {}): Promise<SippResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sipp-'));
  const file = join(dir, 'scenario.xml');
  writeFileSync(file, xml);
  const [port, mport] = [opts.port ?? await freePort(), await freePort()];
  const args = [...(target ? [`${target.host}:${target.port}`] : []), '-sf', file, '-m', String(opts.calls ?? 1), '-r', String(opts.rate ?? 10), '-l', String(opts.calls ?? 1),
    '-i', '127.0.0.1', '-mi', '127.0.0.1', '-p', String(port), '-mp', String(mport), '-t', opts.transport ?? 'u1',
    '-timeout', `${opts.timeoutS ?? 40}s`, '-timeout_error', '-nostdin', '-trace_err', '-error_file', join(dir, 'errors.log'), ...(opts.extraArgs ?? [])];
  return new Promise((resolve) => {
    const p = spawn('sipp', args, { cwd: dir });
    let stdout = ''; let stderr = '';
    p.stdout.on('data', (d) => { stdout += String(d); });
    p.stderr.on('data', (d) => { stderr += String(d); });
    p.on('close', (code) => {
      let errors = '';
      try { errors = readFileSync(join(dir, 'errors.log'), 'utf8'); } catch { /* none */ }
      resolve({ code: code ?? -1, stdout: stdout.slice(-3000), stderr: stderr.slice(-3000), errors: errors.slice(-3000) });
    });
  });
}
