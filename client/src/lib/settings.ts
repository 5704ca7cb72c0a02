// User choices that survive reloads (IndexedDB via idb): "save data".
import { openDB, type IDBPDatabase } from 'idb';

let db: Promise<IDBPDatabase> | null = null;
function open(): Promise<IDBPDatabase> {
  db ??= openDB('thinline', 1, { upgrade: (d) => { d.createObjectStore('settings'); } });
  return db;
}

export async function loadSaveData(): Promise<boolean> {
  try { return (await (await open()).get('settings', 'saveData')) === true; } catch { return false; }
}

export async function storeSaveData(on: boolean): Promise<void> {
  try { await (await open()).put('settings', on, 'saveData'); } catch { /* private mode: not persisted */ }
}

const CLIENT_ID_KEY = 'thinline.clientId';
/** A random id this browser keeps: a ban "for this meeting" applies to it. */
export function clientId(): string {
  try {
    let id = localStorage.getItem(CLIENT_ID_KEY);
    if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      localStorage.setItem(CLIENT_ID_KEY, id);
    }
    return id;
  } catch {
    return 'no-storage-client';
  }
}
