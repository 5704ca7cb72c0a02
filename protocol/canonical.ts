// Canonical JSON for the vote ledger (shared by the server and the independent verifier):
// object keys sorted by UTF-16 code units, no whitespace, JSON.stringify's escaping of
// strings, integers and finite numbers as JSON.stringify writes them, arrays in order,
// `undefined` fields omitted. The hash of a ledger entry is SHA-256 over the UTF-8 bytes
// of (previous hash in hex) + (canonical JSON of the entry).
export type Canonical = null | boolean | number | string | Canonical[] | { [key: string]: Canonical | undefined };

export function canonicalJson(value: Canonical): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON: numbers must be finite');
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Canonical)}`).join(',')}}`;
}
