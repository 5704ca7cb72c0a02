// CPU and memory of the server process tree, from /proc (no dependency, Linux only).
import { readdirSync, readFileSync } from 'node:fs';

const HZ = 100; // USER_HZ on Linux

interface ProcStat { pid: number; ppid: number; ticks: number; rssKb: number }

function stat(pid: number): ProcStat | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)/.exec(status);
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), rssKb: rss ? Number(rss[1]) : 0 };
  } catch {
    return null;
  }
}

export function tree(rootPid: number): ProcStat[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => stat(Number(d))).filter((s): s is ProcStat => s !== null);
  const out: ProcStat[] = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift()!;
    const s = all.find((x) => x.pid === pid);
    if (s) out.push(s);
    for (const c of all) if (c.ppid === pid) queue.push(c.pid);
  }
  return out;
}

/** Samples CPU % (of one core) and RSS of a process tree. */
export class ProcSampler {
  readonly samples: { at: number; cpuPct: number; rssMb: number }[] = [];
  #last: { at: number; ticks: number } | null = null;
  #timer: NodeJS.Timeout;

  constructor(pid: number, intervalMs = 1000) {
    this.#timer = setInterval(() => {
      const procs = tree(pid);
      const ticks = procs.reduce((s, p) => s + p.ticks, 0);
      const at = Date.now();
      if (this.#last) {
        const cpuPct = (((ticks - this.#last.ticks) / HZ) / ((at - this.#last.at) / 1000)) * 100;
        this.samples.push({ at, cpuPct, rssMb: procs.reduce((s, p) => s + p.rssKb, 0) / 1024 });
      }
      this.#last = { at, ticks };
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void { clearInterval(this.#timer); }
}
