// Svelte actions that bind MediaStreamTracks to media elements and report tile sizes.
export function srcObject(node: HTMLMediaElement, track: MediaStreamTrack | null) {
  const set = (t: MediaStreamTrack | null) => {
    const current = node.srcObject instanceof MediaStream ? node.srcObject.getTracks()[0] : null;
    if (current === t) return;
    node.srcObject = t ? new MediaStream([t]) : null;
    if (t) node.play().catch(() => undefined);
  };
  set(track);
  return { update: set, destroy: () => { node.srcObject = null; } };
}

export type TileObserver = (consumerId: string, element: Element) => () => void;

/** Reports this element's size and visibility for the consumer it shows. */
export function reportTile(node: Element, arg: { consumerId: string | null; observe: TileObserver | null }) {
  let stop: (() => void) | null = null;
  const start = (a: typeof arg) => {
    stop?.();
    stop = a.consumerId && a.observe ? a.observe(a.consumerId, node) : null;
  };
  start(arg);
  return { update: start, destroy: () => stop?.() };
}
