// Injected into every bench page (page.addInitScript) before the app loads. Self-contained:
// Playwright serializes this function's source, so it may not reference anything outside.
//  - Camera: a 640x360 canvas stream (`fps` frames a second) whose top band encodes the sender's clock
//    (24-bit ms timestamp + 8-bit checksum as 8x4 black/white cells), so receivers can
//    measure glass-to-glass latency from the frame they render. Audio stays the fake mic.
//  - Receivers: every rendered remote frame (requestVideoFrameCallback, at most 5/s per
//    video) is decoded; samples of getStats and the app's allocation state every 200 ms.
export function pageKit(fps = 30): void {
  const W = 640, H = 360, COLS = 8, ROWS = 4, BAND = 160;
  const w = window as unknown as Record<string, unknown>;
  const bench = {
    latencies: [] as { at: number; ms: number; peer: string }[], frames: [] as { at: number; peer: string; gap: number; paused: boolean }[], samples: [] as unknown[], firstFrameAt: 0,
    /** Per remote tile: when it last rendered a frame, and whether it shows a paused-with-reason state now. */
    lastFrameAt: {} as Record<string, number>, pausedNow: {} as Record<string, boolean>,
  };
  w.__bench = bench;

  // For telling the rig from the network when every stream stops at once: how late the
  // page's timers ran (a starved renderer), and the signaling bytes received (a large
  // message shares the shaped link's queue with the media).
  let lagMs = 0;
  let tickAt = performance.now();
  setInterval(() => { const now = performance.now(); lagMs = Math.max(lagMs, now - tickAt - 50); tickAt = now; }, 50);
  let wsBytes = 0;
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent) => { const d: unknown = e.data; wsBytes += typeof d === 'string' ? d.length : d instanceof Blob ? d.size : d instanceof ArrayBuffer ? d.byteLength : 0; });
    }
  };

  // Sensor grain: a real camera's picture changes in every pixel of every frame, so its
  // encoder fills the bitrate it is given. A flat canvas compresses to a third of its
  // target, and Chrome's send-side estimate may rise only to 1.5x what is really sent:
  // after one congestion event a dsl sender's estimate then stayed at ~120 kbit/s of its
  // 1 Mbit/s uplink for whole runs. A few pre-drawn opaque backgrounds with the grain baked
  // in, cycled, cost one copy each (cheaper than the flat fill they replace). Each is a
  // 160x90 tile of grain repeated: drawing full-size noise in the page's script took a
  // page 66-84 ms inside getUserMedia on an idle machine (29 ms tiled), several times that
  // on the loaded rig, which the join time then counted
  // (VP8 cannot exploit the repetition: it has no intra block copy, and the previous frame
  // holds another tile).
  const GRAIN_FRAMES = 4;
  const TW = W / 4, TH = H / 4;
  let grain: HTMLCanvasElement[] | null = null;
  let frame = 0;
  function makeGrain(): HTMLCanvasElement[] {
    return Array.from({ length: GRAIN_FRAMES }, () => {
      const tile = document.createElement('canvas');
      tile.width = TW;
      tile.height = TH;
      const t = tile.getContext('2d')!;
      const img = t.createImageData(TW, TH);
      const d = img.data;
      // #777 (119) with +-4..12 levels of grain, as the earlier alpha-blended grain gave.
      for (let o = 0; o < d.length; o += 4) {
        const a = (10 + Math.floor(Math.random() * 22)) / 255;
        const v = Math.round(119 + ((Math.random() < 0.5 ? 0 : 255) - 119) * a);
        d[o] = v; d[o + 1] = v; d[o + 2] = v; d[o + 3] = 255;
      }
      t.putImageData(img, 0, 0);
      const c = document.createElement('canvas');
      c.width = W;
      c.height = H;
      const g = c.getContext('2d')!;
      for (let y = 0; y < H; y += TH) for (let x = 0; x < W; x += TW) g.drawImage(tile, x, y);
      return c;
    });
  }

  function paint(ctx: CanvasRenderingContext2D, now: number): void {
    const ts = now & 0xffffff;
    const sum = ((ts & 0xff) + ((ts >> 8) & 0xff) + ((ts >> 16) & 0xff)) & 0xff;
    const bits = (ts << 8) | sum;
    grain ??= makeGrain();
    ctx.globalCompositeOperation = 'copy';
    ctx.drawImage(grain[frame++ % GRAIN_FRAMES]!, 0, 0);
    ctx.globalCompositeOperation = 'source-over';
    // Something moving, so the encoder has real work (like a person).
    ctx.fillStyle = '#c84';
    ctx.beginPath();
    ctx.arc(W / 2 + Math.sin(now / 700) * 200, 260, 60, 0, Math.PI * 2);
    ctx.fill();
    const cw = W / COLS, ch = BAND / ROWS;
    for (let i = 0; i < 32; i++) {
      ctx.fillStyle = (bits >>> (31 - i)) & 1 ? '#fff' : '#000';
      ctx.fillRect((i % COLS) * cw, Math.floor(i / COLS) * ch, cw, ch);
    }
  }

  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    if (!constraints?.video) return original(constraints);
    const canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    const ctx = canvas.getContext('2d')!;
    paint(ctx, Date.now());
    setInterval(() => paint(ctx, Date.now()), 1000 / fps);
    return canvas.captureStream(fps);
  };

  function decode(ctx: CanvasRenderingContext2D, vw: number, vh: number): number | null {
    const band = (BAND / H) * vh;
    const img = ctx.getImageData(0, 0, vw, Math.ceil(band)).data;
    let bits = 0;
    for (let i = 0; i < 32; i++) {
      const x = Math.floor(((i % COLS) + 0.5) * (vw / COLS));
      const y = Math.floor((Math.floor(i / COLS) + 0.5) * (band / ROWS));
      const o = (y * vw + x) * 4;
      bits = (bits << 1) | (img[o]! + img[o + 1]! + img[o + 2]! > 382 ? 1 : 0);
    }
    bits >>>= 0;
    const ts = bits >>> 8;
    const sum = ((ts & 0xff) + ((ts >> 8) & 0xff) + ((ts >> 16) & 0xff)) & 0xff;
    return sum === (bits & 0xff) ? ts : null;
  }

  const watched = new WeakSet<HTMLVideoElement>();
  const scratch = document.createElement('canvas');
  const sctx = scratch.getContext('2d', { willReadFrequently: true })!;
  function watch(video: HTMLVideoElement): void {
    if (watched.has(video)) return;
    watched.add(video);
    let lastDecode = 0;
    let lastFrame = 0;
    const onFrame = () => {
      const now = Date.now();
      const tile = video.closest('li.tile') as HTMLElement | null;
      const peer = tile?.dataset.peerId ?? '?';
      if (!bench.firstFrameAt) {
        bench.firstFrameAt = now;
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        (bench as Record<string, unknown>).marks = [
          ...(nav ? [['html', Math.round(nav.responseEnd)], ['dom-loaded', Math.round(nav.domContentLoadedEventEnd)], ['load', Math.round(nav.loadEventEnd)]] : []),
          ...performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]),
        ];
        (bench as Record<string, unknown>).nav = Math.round(performance.timeOrigin);
      }
      // Only gaps long enough to be candidate freezes are kept.
      if (lastFrame && now - lastFrame >= 250) bench.frames.push({ at: now, peer, gap: now - lastFrame, paused: !!tile?.dataset.pausedReason });
      lastFrame = now;
      bench.lastFrameAt[peer] = now;
      if (now - lastDecode >= 200 && video.videoWidth > 0) {
        lastDecode = now;
        scratch.width = video.videoWidth;
        scratch.height = video.videoHeight;
        sctx.drawImage(video, 0, 0);
        const ts = decode(sctx, video.videoWidth, video.videoHeight);
        if (ts !== null) {
          const ms = ((now & 0xffffff) - ts + 0x1000000) % 0x1000000;
          if (ms < 10_000) bench.latencies.push({ at: now, ms, peer });
        }
      }
      if (video.isConnected) video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }
  setInterval(() => {
    for (const v of document.querySelectorAll<HTMLVideoElement>('li.tile:not([data-self]) video')) watch(v);
    const present = new Set<string>();
    for (const tile of document.querySelectorAll<HTMLElement>('li.tile:not([data-self]):not(.screen)')) {
      if (!tile.dataset.peerId) continue;
      present.add(tile.dataset.peerId);
      bench.pausedNow[tile.dataset.peerId] = !!tile.dataset.pausedReason || !tile.querySelector('video');
    }
    // A tile that is gone (its participant left) is not stalled.
    for (const peer of Object.keys(bench.lastFrameAt)) if (!present.has(peer)) bench.pausedNow[peer] = true;
  }, 100);

  setInterval(async () => {
    const call = (w.thinline as { call?: Record<string, any> } | undefined)?.call;
    if (!call || call.status !== 'joined') return;
    const sample: Record<string, unknown> = { at: Date.now(), video: [], audio: [] as unknown[] };
    const recv: RTCStatsReport | null = await call.media?.recvStats().catch(() => null);
    // Which remote participant each received track belongs to (by track id).
    const owner = new Map<string, string>();
    for (const p of (call.participants ?? []) as any[]) for (const t of [p.audioTrack, p.videoTrack]) if (t) owner.set(t.id, p.id);
    let rtt: number | undefined;
    recv?.forEach((s: any) => {
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && typeof s.currentRoundTripTime === 'number') rtt = s.currentRoundTripTime * 1000;
      if (s.type !== 'inbound-rtp') return;
      const row = {
        id: s.id, peer: owner.get(s.trackIdentifier) ?? null, bytes: s.bytesReceived ?? 0, frames: s.framesDecoded ?? 0, assembled: s.framesReceived ?? 0, height: s.frameHeight ?? 0, freezes: s.freezeCount ?? 0, freezeS: s.totalFreezesDuration ?? 0,
        concealed: (s.concealedSamples ?? 0) - (s.silentConcealedSamples ?? 0), samples: s.totalSamplesReceived ?? 0, packets: s.packetsReceived ?? 0, lost: s.packetsLost ?? 0,
        jbDelay: s.jitterBufferDelay ?? 0, jbEmitted: s.jitterBufferEmittedCount ?? 0,
        // For digging into freezes: loss repair and keyframes.
        nacks: s.nackCount ?? 0, plis: s.pliCount ?? 0, keyframes: s.keyFramesDecoded ?? 0, rtx: s.retransmittedPacketsReceived ?? 0, dropped: s.framesDropped ?? 0,
        fec: s.fecPacketsReceived ?? 0,
      };
      (sample[s.kind === 'audio' ? 'audio' : 'video'] as unknown[]).push(row);
    });
    sample.self = call.selfId;
    sample.rttMs = rtt;
    sample.kfAsked = call.media?.keyframeRequests ?? 0;
    sample.lagMs = Math.round(lagMs);
    lagMs = 0;
    sample.wsBytes = wsBytes;
    const send: RTCStatsReport | null = await call.media?.sendStats().catch(() => null);
    let sent = 0;
    let outBwe: number | undefined;
    let videoTarget = 0;
    let topHeight = -1;
    send?.forEach((s: any) => {
      if (s.type === 'outbound-rtp') sent += s.bytesSent ?? 0;
      // What Chrome lets the encoder send, and why not more (the ladder's inputs).
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        videoTarget += s.targetBitrate ?? 0;
        if ((s.frameHeight ?? 0) > topHeight) { topHeight = s.frameHeight ?? 0; sample.qualityLimitation = s.qualityLimitationReason; }
      }
      // The Opus encoder's rate: in-band FEC needs enough of it (libopus' thresholds).
      if (s.type === 'outbound-rtp' && s.kind === 'audio') sample.audioTargetBps = s.targetBitrate;
      // What the SFU reports back about our audio (it forwards its receivers' worst loss
      // when in-band FEC is on, so our Opus encoder adds FEC).
      if (s.type === 'remote-inbound-rtp' && s.kind === 'audio') sample.audioRemoteLoss = s.fractionLost;
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') outBwe = s.availableOutgoingBitrate;
    });
    sample.sentBytes = sent;
    sample.outBwe = outBwe;
    sample.videoTargetBps = videoTarget;
    // Our own sender's ladder (is it sending what others' tiles want, and if not, why).
    sample.rung = call.sender?.rung;
    sample.rungReason = call.sender?.reason;
    sample.layers = Object.entries(call.layers ?? {}).map(([id, l]: [string, any]) => ({ id, target: l.target, current: l.current, max: l.max, reason: l.reason, budget: l.budgetBps }));
    bench.samples.push(sample);
  }, 200);
}

/** The script to inject. tsx/esbuild wrap named functions in a `__name` helper that does
 *  not exist in the page, so a no-op one is declared first. */
export function pageKitScript(fps = 30): string {
  return `var __name = (f) => f;\n(${pageKit.toString()})(${Number(fps)});`;
}
