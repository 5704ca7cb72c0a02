// Minutes storage: Yjs updates appended as they come (durable before acknowledged) and a
// snapshot now and then that replaces the updates before it.
export interface MinutesStore {
  load(roomId: string): { snapshot: Uint8Array | null; updates: Uint8Array[]; seq: number };
  append(roomId: string, seq: number, update: Uint8Array): void;
  snapshot(roomId: string, seq: number, state: Uint8Array): void;
  writers(roomId: string): string[];
  setWriter(roomId: string, peerId: string, writer: boolean): void;
  agenda(roomId: string): string[];
  setAgenda(roomId: string, items: string[]): void;
}
