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
