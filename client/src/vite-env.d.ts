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

// opus-recorder 8 ships no types: the part we use.
declare module 'opus-recorder' {
  export interface RecorderConfig {
    encoderPath: string; encoderBitRate?: number; encoderSampleRate?: number; encoderApplication?: number;
    numberOfChannels?: number; streamPages?: boolean; sourceNode?: AudioNode;
  }
  export default class Recorder {
    constructor(config: RecorderConfig);
    start(): Promise<void>;
    stop(): void;
    pause(): void;
    resume(): void;
    ondataavailable: (page: Uint8Array) => void;
    onstop: () => void;
  }
}
