// Client routes: "/" (landing) and "/r/<roomId>" with an optional "#mod=<key>" fragment.
// The moderator key lives in the fragment so it never reaches a server log or Referer.
export type Route = { page: 'landing' } | { page: 'room'; roomId: string; moderatorKey: string | undefined };

export function parseRoute(pathname: string, hash: string): Route {
  const m = /^\/r\/([A-Za-z0-9_-]{8,64})\/?$/.exec(pathname);
  if (!m) return { page: 'landing' };
  const key = /(?:^#|&)mod=([A-Za-z0-9_-]{8,64})/.exec(hash)?.[1];
  return { page: 'room', roomId: m[1]!, moderatorKey: key };
}

export function signalingUrl(loc: Location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}
