// Serves the built client from memory. Hashed assets are immutable for a year; the HTML
// shell must revalidate. Brotli/gzip variants are precompressed at build time, because on
// a 256 kbit/s link every kilobyte is about 30 ms of waiting.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  br: Buffer | undefined;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
  cacheControl: string;
}

export class StaticFiles {
  readonly #files = new Map<string, StaticFile>();

  constructor(root: string) {
    if (!existsSync(root)) return;
    for (const path of walk(root)) {
      if (path.endsWith('.br') || path.endsWith('.gz')) continue;
      const url = '/' + relative(root, path).split(sep).join('/');
      const body = readFileSync(path);
      const variant = (ext: string) => (existsSync(path + ext) ? readFileSync(path + ext) : undefined);
      // Without precompressed files (a dev build), compress once here: serving 300 KB
      // instead of 60 KB costs seconds on a weak link.
      const compressible = /^(text\/|application\/(json|wasm|manifest)|image\/svg)/.test(TYPES[extname(path)] ?? '') && body.length > 1024;
      this.#files.set(url, {
        body,
        br: variant('.br') ?? (compressible ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }) : undefined),
        gzip: variant('.gz') ?? (compressible ? gzipSync(body, { level: 9 }) : undefined),
        type: TYPES[extname(path)] ?? 'application/octet-stream',
        etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`,
        cacheControl: url.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
  }

  get size(): number { return this.#files.size; }

  get(url: string): StaticFile | undefined {
    return this.#files.get(url === '/' ? '/index.html' : url);
  }

  /** The app shell, for client-side routes such as /r/<room>. */
  get index(): StaticFile | undefined {
    return this.#files.get('/index.html');
  }
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

/** Picks the smallest encoding the client accepts. */
export function negotiate(file: StaticFile, acceptEncoding: string): { body: Buffer; encoding: 'br' | 'gzip' | null } {
  if (file.br && /\bbr\b/.test(acceptEncoding)) return { body: file.br, encoding: 'br' };
  if (file.gzip && /\bgzip\b/.test(acceptEncoding)) return { body: file.gzip, encoding: 'gzip' };
  return { body: file.body, encoding: null };
}
