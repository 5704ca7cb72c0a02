import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../protocol/index.js';

describe('parseRequest', () => {
  it.each([
    [{ id: 1, method: 'ping', data: {} }, true, ''],
    [{ id: 2, method: 'join', data: { roomId: 'abcdefgh', name: '  Anna  ', rtpCapabilities: {} } }, true, ''],
    [{ id: 3, method: 'join', data: { roomId: 'abcdefgh', name: '   ', rtpCapabilities: {} } }, false, 'data.name: must not be empty'],
    [{ id: 4, method: 'join', data: { roomId: 'abcdefgh', name: 'x'.repeat(65), rtpCapabilities: {} } }, false, 'data.name: at most 64 characters'],
    [{ id: 5, method: 'createTransport', data: { direction: 'sideways' } }, false, 'data.direction: Invalid type'],
    [{ id: 6, method: 'nope', data: {} }, false, 'unknown method "nope"'],
    [{ id: -1, method: 'ping', data: {} }, false, 'id: '],
    [{ method: 'ping', data: {} }, false, 'id: is required'],
    [{ id: 7, method: 'produce', data: { transportId: 'abcdefgh', kind: 'audio', source: 'mic', rtpParameters: { codecs: [] } } }, false, 'data.rtpParameters.codecs: '],
    [{ id: 8, method: 'consume', data: { transportId: 'abcdefgh', producerId: 'x y' } }, false, 'data.producerId: '],
  ])('%j -> ok=%s %s', (raw, ok, message) => {
    const r = parseRequest(raw);
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r.error.message.startsWith(message)).toBe(true);
  });

  it('trims names and keeps the request id on errors', () => {
    const r = parseRequest({ id: 2, method: 'join', data: { roomId: 'abcdefgh', name: '  Anna  ', rtpCapabilities: {} } });
    expect(r.ok && r.request.method === 'join' && r.request.data.name).toBe('Anna');
    const bad = parseRequest({ id: 42, method: 'ping', data: { x: 1 } });
    expect(!bad.ok && bad.id).toBe(42);
  });
});
