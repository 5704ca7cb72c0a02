// Upload to the meeting's archive in chunks at exact offsets: a broken connection resumes
// where the server says the upload stands, and a weak link never has to carry the whole
// file in one request. Uses fetch only, so it runs in Node tests against the real server.
const CHUNK = 1024 * 1024;

export interface UploadTarget { base: string; token: string; fetch?: typeof fetch }

export async function uploadRecording(t: UploadTarget, p: { recordingId: string; kind: 'video' | 'audio'; filename: string; file: Blob }, onProgress: (sent: number, total: number) => void): Promise<{ id: string }> {
  const f = t.fetch ?? fetch;
  const headers = { authorization: `Bearer ${t.token}` };
  const begin = await f(`${t.base}/api/recordings/uploads`, { method: 'POST', headers, body: JSON.stringify({ recordingId: p.recordingId, kind: p.kind, filename: p.filename, size: p.file.size }) });
  if (!begin.ok) throw new Error(await reason(begin));
  const { uploadId } = (await begin.json()) as { uploadId: string };
  let offset = 0;
  let retries = 0;
  for (;;) {
    const piece = new Uint8Array(await p.file.slice(offset, offset + CHUNK).arrayBuffer());
    const res = await f(`${t.base}/api/recordings/uploads/${uploadId}?offset=${offset}`, { method: 'PUT', headers, body: piece }).catch(() => null);
    if (res?.ok) {
      const body = (await res.json()) as { offset: number; recording?: { id: string } };
      offset = body.offset;
      retries = 0;
      onProgress(offset, p.file.size);
      if (body.recording) return { id: body.recording.id };
      continue;
    }
    // Lost answer or connection: ask where the upload stands and go on from there.
    if (++retries > 5) throw new Error(res ? await reason(res) : 'the connection to the server failed');
    const status = await f(`${t.base}/api/recordings/uploads/${uploadId}`, { headers }).catch(() => null);
    if (status?.ok) offset = ((await status.json()) as { offset: number }).offset;
  }
}

async function reason(res: Response): Promise<string> {
  try { return ((await res.json()) as { error?: { message?: string } }).error?.message ?? `HTTP ${res.status}`; } catch { return `HTTP ${res.status}`; }
}
