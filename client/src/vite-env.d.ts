/// <reference types="vite/client" />
/// <reference types="svelte" />

// Insertable streams for raw video (Chromium); not in TypeScript's DOM lib yet.
interface MediaStreamTrackProcessorInit { track: MediaStreamTrack }
declare class MediaStreamTrackProcessor {
  constructor(init: MediaStreamTrackProcessorInit);
  readonly readable: ReadableStream<VideoFrame>;
}
declare class MediaStreamTrackGenerator extends MediaStreamTrack {
  constructor(init: { kind: 'video' | 'audio' });
  readonly writable: WritableStream<VideoFrame>;
}
