// Where each participant goes in the recording's picture. Goals: the active speaker
// large (three quarters of the width), everyone else as thumbnails in a column on the
// right, in a stable order, so a viewer always finds the same person in the same place;
// at most 6 thumbnails (the rest are still heard, and named in the metadata).
export interface Rect { id: string; x: number; y: number; w: number; h: number }

export function compositeLayout(ids: readonly string[], speakerId: string | null, width: number, height: number): Rect[] {
  if (ids.length === 0) return [];
  const main = speakerId !== null && ids.includes(speakerId) ? speakerId : ids[0]!;
  if (ids.length === 1) return [{ id: main, x: 0, y: 0, w: width, h: height }];
  const others = ids.filter((id) => id !== main).slice(0, 6);
  const mainW = Math.round(width * 0.75);
  const thumbW = width - mainW;
  const thumbH = Math.floor(height / Math.max(3, others.length));
  return [
    { id: main, x: 0, y: 0, w: mainW, h: height },
    ...others.map((id, i) => ({ id, x: mainW, y: i * thumbH, w: thumbW, h: thumbH })),
  ];
}

/** Fits a w x h picture into a box, keeping its aspect (letterboxed). */
export function fit(srcW: number, srcH: number, box: Omit<Rect, 'id'>): Omit<Rect, 'id'> {
  if (srcW <= 0 || srcH <= 0) return box;
  const scale = Math.min(box.w / srcW, box.h / srcH);
  const w = Math.round(srcW * scale);
  const h = Math.round(srcH * scale);
  return { x: box.x + Math.round((box.w - w) / 2), y: box.y + Math.round((box.h - h) / 2), w, h };
}

/** Bytes a recording of `kind` needs per hour (what the storage check asks for). */
export function bytesPerHour(kind: 'video' | 'audio', videoBps = 600_000): number {
  return kind === 'audio' ? 7_500_000 : Math.round((videoBps / 8) * 3600 * 1.05);
}
