import { expect, it } from 'vitest';
import { parseRoute } from '../../client/src/lib/route.js';

it.each([
  ['/', '', { page: 'landing' }],
  ['/r/abcdefgh12345678', '', { page: 'room', roomId: 'abcdefgh12345678', moderatorKey: undefined }],
  ['/r/abcdefgh12345678/', '#mod=KEYKEYKEYKEY', { page: 'room', roomId: 'abcdefgh12345678', moderatorKey: 'KEYKEYKEYKEY' }],
  ['/r/short', '', { page: 'landing' }],
  ['/r/abcdefgh12345678/../x', '', { page: 'landing' }],
  ['/r/abcdefgh12345678', '#mod=<script>', { page: 'room', roomId: 'abcdefgh12345678', moderatorKey: undefined }],
])('%s%s', (path, hash, expected) => {
  expect(parseRoute(path, hash)).toEqual(expected);
});
