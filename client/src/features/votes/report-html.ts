// The printable report of one vote, built from the signed JSON report: motion, eligible
// voters, attendance during the vote, quorum, tally, outcome, reported problems, the
// verification data and how to verify. Plain HTML with no scripts, for printing or filing.
import type { VoteReport } from '../../../../protocol/index.js';

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const time = (ms: number) => new Date(ms).toLocaleString('de-DE');

export function reportHtml(r: VoteReport): string {
  const opened = r.entries[0]!.data as Record<string, unknown>;
  const result = r.entries.at(-1)!.data as Record<string, unknown>;
  const options = opened.options as string[];
  const label = (i: number) => (opened.type === 'election' ? options[i] : ['Ja / Yes', 'Nein / No', 'Enthaltung / Abstain'][i]) ?? '?';
  const eligible = opened.eligible as { id: string; name: string }[];
  const counts = (result.counts as number[]) ?? [];
  const rows = (cells: unknown[][]) => cells.map((c) => `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('');
  const presence = r.entries.filter((e) => e.type === 'presence').map((e) => [time(e.at), e.data.name, e.data.event]);
  const problems = r.entries.filter((e) => e.type === 'problem').map((e) => [time(e.at), e.data.name, e.data.kind, e.data.text]);
  const named = r.entries.filter((e) => e.type === 'ballot' && e.data.voter).map((e) => [e.data.name, (e.data.choices as number[]).map(label).join(', ')]);
  const secret = r.entries.filter((e) => e.type === 'ballot' && e.data.token).map((e) => [e.data.token, (e.data.choices as number[]).map(label).join(', '), e.hash]);
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>${esc(opened.title)} – Abstimmungsprotokoll</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #999;padding:.2rem .5rem;text-align:left}code{word-break:break-all}</style></head><body>
<h1>Abstimmungsprotokoll / Vote record</h1>
<p><strong>${esc(r.roomName)}</strong></p>
<h2>${esc(opened.title)}</h2>${opened.text ? `<p>${esc(opened.text)}</p>` : ''}
<p>Art / Kind: ${esc(opened.kind)} · Regel / Rule: ${esc(opened.rule)} · Quorum: ${esc(opened.quorum ?? '–')} · eröffnet / opened ${time(r.entries[0]!.at)} by ${esc(opened.openedBy)}</p>
<h3>Stimmberechtigte / Eligible voters (${eligible.length})</h3><ul>${eligible.map((e) => `<li>${esc(e.name)}</li>`).join('')}</ul>
<p>Anwesend / Present: bei Eröffnung / at opening ${esc(result.presentAtOpen)}, bei Schluss / at closing ${esc(result.presentAtClose)}</p>
<h3>Ergebnis / Result: ${esc(result.outcome)}</h3>
<table><tr><th>Option</th><th>Stimmen / Votes</th></tr>${rows(counts.map((c, i) => [label(i), c]))}</table>
<p>${esc(result.cast)} abgegeben / cast · ${esc(result.reason)}</p>
${named.length ? `<h3>Namentliche Stimmen / Votes by name</h3><table>${rows(named)}</table>` : ''}
${secret.length ? `<h3>Geheime Stimmzettel / Secret ballots (token, choice, entry hash)</h3><table>${rows(secret)}</table>` : ''}
<h3>Anwesenheit während der Abstimmung / Attendance during the vote</h3>${presence.length ? `<table>${rows(presence)}</table>` : '<p>–</p>'}
<h3>Gemeldete Probleme / Reported problems</h3>${problems.length ? `<table>${rows(problems)}</table>` : '<p>–</p>'}
<h3>Prüfdaten / Verification data</h3>
<p>Antrag / Motion: <code>${esc(r.motionId)}</code><br>Kopf-Hash / Head: <code>${esc(r.head)}</code><br>Signatur / Signature (Ed25519): <code>${esc(r.signature)}</code></p>
<pre>${esc(r.publicKey)}</pre>
<h3>So prüfen Sie / How to verify</h3>
<p>Laden Sie das JSON-Protokoll herunter und prüfen Sie es mit <code>npm run verify -- protokoll.json --key schluessel.pem</code>; den Schlüssel veröffentlicht der Server unter <code>/.well-known/thinline-vote-key</code>. Jeder Eintrag ist per SHA-256 mit dem vorherigen verkettet; das Ergebnis ist mit Ed25519 signiert. Bei geheimen Abstimmungen finden Sie Ihre Stimme über Ihr Token.</p>
<p>Download the JSON report and check it with <code>npm run verify -- report.json --key key.pem</code>; the server publishes the key at <code>/.well-known/thinline-vote-key</code>. Every entry is chained to the previous one by SHA-256; the result is signed with Ed25519. In a secret ballot, find your vote by your token.</p>
</body></html>`;
}
