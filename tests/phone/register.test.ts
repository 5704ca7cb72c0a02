// Registering with a trunk: sipp plays the registrar, challenges with digest (401) and
// checks the credentials (verifyauth); the gateway answers the challenge and is registered.
import { expect, it } from 'vitest';
import { testServer, until } from '../integration/harness.js';
import { freePort, phoneConfig, runSipp, scenario } from './sipp.js';

const REPLY = (status: string, extra = '') => `<send><![CDATA[
SIP/2.0 ${status}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
${extra}Content-Length: 0
]]></send>`;

it('REGISTER with digest authentication: challenged, answered with the right credentials, registered', async () => {
  const port = await freePort();
  const registrar = runSipp(null, scenario('registrar', [
    '<recv request="REGISTER"/>',
    REPLY('401 Unauthorized', 'WWW-Authenticate: Digest realm="thinline.test", nonce="47364c23432d2e131a5fb210812c", algorithm=MD5\n'),
    '<recv request="REGISTER"><action><verifyauth assign_to="authvalid" username="gw-user" password="s3cret"/></action></recv>',
    '<nop hide="true" test="authvalid" next="good"/>',
    REPLY('403 Forbidden').replace('<send>', '<send next="end">'),
    '<label id="good"/>',
    REPLY('200 OK', 'Expires: 600\n'),
    '<label id="end"/>',
  ].join('\n')), { port, timeoutS: 20 });
  const server = await testServer({ phone: phoneConfig({ trunk: { registrar: `sip:127.0.0.1:${port}`, user: 'gw-user', password: 's3cret', domain: 'thinline.test', expiresS: 600 } }) });
  try {
    await until(() => server.phone!.registration?.lastStatus === 200 || server.phone!.registration?.lastStatus === 403, 15_000, 'the registrar to answer');
    expect(server.phone!.registration!.lastStatus).toBe(200);
    expect(server.phone!.registration!.registered).toBe(true);
    const r = await registrar;
    expect(r.code, r.errors).toBe(0);
  } finally {
    server.close();
  }
}, 60_000);
