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

/**
 * The whole machine's CPU, once a second: the share of all cores busy. A bench result
 * taken while the rig was saturated measures the rig, not the product.
 */
export class SystemCpuSampler {
  readonly samples: { at: number; busyPct: number }[] = [];
  #last: { busy: number; total: number } | null = null;
  #timer: NodeJS.Timeout;

  constructor(intervalMs = 1000) {
    this.#timer = setInterval(() => {
      const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
      const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
      const total = cpu.reduce((a, b) => a + b, 0);
      if (this.#last && total > this.#last.total) {
        this.samples.push({ at: Date.now(), busyPct: (((total - idle) - this.#last.busy) / (total - this.#last.total)) * 100 });
      }
      this.#last = { busy: total - idle, total };
    }, intervalMs);
    this.#timer.unref();
  }

  /** Share of seconds in [from, to] with at least `threshold` % of all cores busy. */
  saturatedPct(from: number, to: number, threshold = 95): number {
    const inWindow = this.samples.filter((s) => s.at >= from && s.at <= to);
    return inWindow.length ? (inWindow.filter((s) => s.busyPct >= threshold).length / inWindow.length) * 100 : 0;
  }

  stop(): void { clearInterval(this.#timer); }
}
