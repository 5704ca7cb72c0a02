// `npm run netem -- <command>`: bring the emulated network up or down, shape it live,
// show counters.
//   up [--participants N] [--profile NAME]   create namespaces + shaper (default 2, lan)
//   apply --host p1|* --profile NAME         switch a participant's link live
//   counters                                 per-host packet counters
//   status                                   what is running
//   down                                     remove everything (also leftovers of crashes)
import { loadProfile, listProfiles } from './profile.js';
import { apply, control, current, down, up } from './topology.js';

const [command = 'status', ...rest] = process.argv.slice(2);
const opt = (name: string, fallback?: string) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : fallback;
};

async function main(): Promise<void> {
  switch (command) {
    case 'up': {
      const t = await up(Number(opt('participants', '2')));
      await apply(t, '*', loadProfile(opt('profile', 'lan')!));
      console.log(`up: server ${t.server.ns} ${t.server.ip} (control ${t.server.controlIp}); participants ${t.participants.map((p) => `${p.ns} ${p.ip}`).join(', ')}`);
      return;
    }
    case 'apply': {
      const t = current();
      if (!t) throw new Error('not up: run `npm run netem -- up` first');
      await apply(t, opt('host', '*')!, loadProfile(opt('profile', 'lan')!));
      console.log('applied');
      return;
    }
    case 'counters': {
      const t = current();
      if (!t) throw new Error('not up');
      console.log(JSON.stringify(await control(t, { cmd: 'counters' }), null, 2));
      return;
    }
    case 'status': {
      const t = current();
      console.log(t ? JSON.stringify(t, null, 2) : 'down');
      console.log(`profiles: ${listProfiles().join(', ')}`);
      return;
    }
    case 'down':
      down();
      console.log('down');
      return;
    default:
      throw new Error(`unknown command "${command}" (up, apply, counters, status, down)`);
  }
}

main().catch((e: unknown) => { console.error(`netem: ${(e as Error).message}`); process.exit(1); });
