// Svelte actions that bind MediaStreamTracks to media elements.
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
