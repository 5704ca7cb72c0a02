/** Join-time milestones, visible in the browser's performance timeline and to the bench. */
export function mark(name: string): void {
  try { performance.mark(`thinline:${name}`); } catch { /* no performance API */ }
}
