// The independent verifier of vote reports. It shares no code with the server except the
// canonical JSON function and the protocol types: the chain, the signature, the tally and
// the majority rule are all recomputed here, so a bug in the server's tally cannot hide.
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { canonicalJson, type Canonical } from '../protocol/canonical.js';
import type { LedgerEntryWire, VoteReport } from '../protocol/votes.js';

export interface Finding { ok: boolean; en: string; de: string }
export interface Verdict { valid: boolean; findings: Finding[] }

const GENESIS = '0'.repeat(64);
const ok = (en: string, de: string): Finding => ({ ok: true, en, de });
const bad = (en: string, de: string): Finding => ({ ok: false, en, de });

function hashOf(prev: string, e: LedgerEntryWire): string {
  const { seq, at, type, data } = e;
  return createHash('sha256').update(prev + canonicalJson({ seq, at, type, data } as unknown as Canonical), 'utf8').digest('hex');
}

/** Recomputes the outcome from first principles (see the README's rule table). */
function outcome(opened: Record<string, Canonical>, counts: number[], cast: number, present: { atOpen: number; atClose: number }): { outcome: string; elected: number[] } {
  const eligible = (opened.eligible as unknown[]).length;
  const quorum = opened.quorum as number | null;
  if (quorum !== null && (present.atOpen < quorum || present.atClose < quorum)) return { outcome: 'no_quorum', elected: [] };
  if (cast > eligible) return { outcome: 'invalid', elected: [] };
  if (opened.type === 'election') {
    const seats = opened.seats as number;
    const ranked = counts.map((n, i) => [n, i] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
    const last = ranked[seats - 1];
    const next = ranked[seats];
    if (!last || last[0] === 0 || (next && next[0] === last[0])) return { outcome: 'invalid', elected: [] };
    return { outcome: 'elected', elected: ranked.slice(0, seats).map((r) => r[1]).sort((x, y) => x - y) };
  }
  const [yes = 0, no = 0] = counts;
  const won = opened.rule === 'simple' ? yes > no : opened.rule === 'absolute' ? 2 * yes > eligible : yes > 0 && 3 * yes >= 2 * (yes + no);
  return { outcome: won ? 'accepted' : 'rejected', elected: [] };
}

export function verifyReport(report: VoteReport, trustedKeyPem?: string): Verdict {
  const findings: Finding[] = [];
  const entries = report.entries;
  if (report.format !== 'thinline-vote-report/1' || !Array.isArray(entries) || entries.length === 0) {
    return { valid: false, findings: [bad('not a Thinline vote report', 'kein Thinline-Abstimmungsprotokoll')] };
  }
  // 1. The chain: every entry follows the previous one and hashes to what it says.
  let prev = GENESIS;
  let chainOk = true;
  entries.forEach((e, i) => {
    if (!chainOk) return;
    if (e.seq !== i) { chainOk = false; findings.push(bad(`entry ${i}: sequence number ${e.seq} (expected ${i}): an entry was added, dropped or moved`, `Eintrag ${i}: Laufnummer ${e.seq} (erwartet ${i}): ein Eintrag wurde hinzugefügt, entfernt oder verschoben`)); return; }
    if (e.prev !== prev) { chainOk = false; findings.push(bad(`entry ${i}: does not follow entry ${i - 1} (previous hash differs)`, `Eintrag ${i}: folgt nicht auf Eintrag ${i - 1} (vorheriger Hash weicht ab)`)); return; }
    if (hashOf(prev, e) !== e.hash) { chainOk = false; findings.push(bad(`entry ${i} (${e.type}): its content was changed (hash does not match)`, `Eintrag ${i} (${e.type}): sein Inhalt wurde verändert (Hash stimmt nicht)`)); return; }
    prev = e.hash;
  });
  if (chainOk) findings.push(ok(`hash chain intact (${entries.length} entries)`, `Hash-Kette unversehrt (${entries.length} Einträge)`));
  if (chainOk && report.head !== prev) { chainOk = false; findings.push(bad('the report\'s head is not the last entry\'s hash', 'Der Kopf-Hash des Protokolls ist nicht der Hash des letzten Eintrags')); }

  const first = entries[0]!;
  const last = entries.at(-1)!;
  if (first.type !== 'opened') findings.push(bad('entry 0: the ledger does not start with the opening', 'Eintrag 0: das Protokoll beginnt nicht mit der Eröffnung'));
  if (last.type !== 'result') findings.push(bad(`entry ${last.seq}: the ledger does not end with a result`, `Eintrag ${last.seq}: das Protokoll endet nicht mit einem Ergebnis`));

  // 2. The signature over { motionId, head, result }, with the trusted key if one is given.
  const keyPem = trustedKeyPem ?? report.publicKey;
  if (trustedKeyPem && trustedKeyPem.trim() !== report.publicKey.trim()) findings.push(bad('the report names another public key than the trusted one', 'Das Protokoll nennt einen anderen öffentlichen Schlüssel als den vertrauenswürdigen'));
  try {
    const message = canonicalJson({ motionId: report.motionId, head: report.head, result: last.data } as unknown as Canonical);
    const signed = verifySignature(null, Buffer.from(message, 'utf8'), createPublicKey(keyPem), Buffer.from(report.signature, 'base64'));
    findings.push(signed ? ok('signature valid', 'Signatur gültig') : bad('signature invalid: the result or the chain head was changed, or it was signed with another key', 'Signatur ungültig: Ergebnis oder Kopf-Hash verändert, oder mit anderem Schlüssel signiert'));
  } catch {
    findings.push(bad('signature or public key unreadable', 'Signatur oder öffentlicher Schlüssel unlesbar'));
  }

  // 3. The ballots: one per eligible voter, counted again from the entries.
  if (first.type === 'opened' && last.type === 'result') {
    const opened = first.data;
    if (opened.motionId !== report.motionId) findings.push(bad('entry 0: belongs to another motion', 'Eintrag 0: gehört zu einem anderen Antrag'));
    const eligible = new Set((opened.eligible as { id: string }[]).map((e) => e.id));
    const options = (opened.options as string[]).length;
    const counts = new Array<number>(options).fill(0);
    const voters = new Set<string>();
    const tokens = new Set<string>();
    let cast = 0;
    let turnout = 0;
    let problems = 0;
    const secret = opened.kind === 'secret';
    const closed = entries.find((e) => e.type === 'closed');
    for (const e of entries) {
      if (e.type === 'voted') {
        const v = e.data.voter as string;
        if (!eligible.has(v)) problems++, findings.push(bad(`entry ${e.seq}: ${String(e.data.name)} is not an eligible voter`, `Eintrag ${e.seq}: ${String(e.data.name)} ist nicht stimmberechtigt`));
        if (voters.has(v)) problems++, findings.push(bad(`entry ${e.seq}: ${String(e.data.name)} voted twice`, `Eintrag ${e.seq}: ${String(e.data.name)} hat doppelt abgestimmt`));
        voters.add(v);
        turnout++;
      }
      if (e.type !== 'ballot') continue;
      const choices = e.data.choices as number[];
      if (!Array.isArray(choices) || choices.some((c) => !Number.isInteger(c) || c < 0 || c >= options)) { problems++; findings.push(bad(`entry ${e.seq}: a ballot for an option that does not exist`, `Eintrag ${e.seq}: Stimme für eine nicht vorhandene Option`)); continue; }
      if (secret) {
        const t = e.data.token as string;
        if (tokens.has(t)) problems++, findings.push(bad(`entry ${e.seq}: a ballot token used twice`, `Eintrag ${e.seq}: ein Stimmzettel-Token wurde doppelt verwendet`));
        tokens.add(t);
        if (!closed || e.seq < closed.seq) problems++, findings.push(bad(`entry ${e.seq}: a secret ballot before the closing`, `Eintrag ${e.seq}: geheime Stimme vor dem Schluss`));
      } else {
        const v = e.data.voter as string;
        if (!eligible.has(v)) problems++, findings.push(bad(`entry ${e.seq}: ${String(e.data.name)} is not an eligible voter`, `Eintrag ${e.seq}: ${String(e.data.name)} ist nicht stimmberechtigt`));
        if (voters.has(v)) problems++, findings.push(bad(`entry ${e.seq}: ${String(e.data.name)} voted twice`, `Eintrag ${e.seq}: ${String(e.data.name)} hat doppelt abgestimmt`));
        voters.add(v);
      }
      for (const c of choices) counts[c]! += 1;
      cast++;
    }
    if (secret && cast !== turnout) { problems++; findings.push(bad(`${cast} secret ballots but ${turnout} voters recorded as having voted`, `${cast} geheime Stimmen, aber ${turnout} Stimmabgaben verzeichnet`)); }
    const result = last.data;
    const present = { atOpen: opened.presentEligible as number, atClose: (closed?.data.presentEligible as number | undefined) ?? -1 };
    const expected = outcome(opened, counts, cast, present);
    const same = JSON.stringify(counts) === JSON.stringify(result.counts) && cast === result.cast;
    if (!same) { problems++; findings.push(bad(`entry ${last.seq}: the result's counts ${JSON.stringify(result.counts)} differ from the ballots ${JSON.stringify(counts)}`, `Eintrag ${last.seq}: die Zahlen des Ergebnisses ${JSON.stringify(result.counts)} weichen von den Stimmen ${JSON.stringify(counts)} ab`)); }
    if (expected.outcome !== result.outcome || JSON.stringify(expected.elected) !== JSON.stringify(result.elected ?? [])) {
      problems++;
      findings.push(bad(`entry ${last.seq}: the outcome "${String(result.outcome)}" does not follow from the ballots, the rule and the quorum ("${expected.outcome}")`, `Eintrag ${last.seq}: das Ergebnis „${String(result.outcome)}" folgt nicht aus Stimmen, Mehrheitsregel und Quorum („${expected.outcome}")`));
    }
    if (problems === 0) findings.push(ok(`${cast} ballots counted again: ${JSON.stringify(counts)}, outcome "${expected.outcome}" confirmed`, `${cast} Stimmen erneut gezählt: ${JSON.stringify(counts)}, Ergebnis „${expected.outcome}" bestätigt`));
  }
  return { valid: findings.every((f) => f.ok), findings };
}
