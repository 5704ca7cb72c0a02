// Installs whatever is missing, so `npm start` and `npm test` work on a fresh machine:
// Debian packages (as root; otherwise prints the exact apt-get line), npm packages, the
// mediasoup worker (built offline once, cached in .cache/) and, for tests, Chromium.
// Uses only Node's standard library: it runs before node_modules exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--test');
const log = (msg) => console.log(`[bootstrap] ${msg}`);

// Build-time packages for the worker; their runtime libraries come with them.
// Native npm addons (better-sqlite3) build from source during npm ci.
const NPM_BUILD_PACKAGES = ['g++', 'make', 'python3'];
const WORKER_PACKAGES = ['meson', 'ninja-build', 'pkg-config', 'g++', 'libssl-dev', 'libuv1-dev', 'libsrtp2-dev',
  'libusrsctp-dev', 'libabsl-dev', 'nlohmann-json3-dev'];
// Browser tests, and the netem shaper's namespaces, calibration and benches.
// ffmpeg: the recording test reads exported files with ffprobe and checks their audio.
// sip-tester (sipp), baresip and espeak-ng: the phone dial-in tests (SIP peers, spoken prompts).
const TEST_PACKAGES = ['chromium', 'fonts-dejavu-core', 'iproute2', 'iputils-ping', 'iperf3', 'python3', 'ffmpeg', 'sip-tester', 'baresip', 'espeak-ng'];

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major !== 20 || minor < 19) {
    console.error(`[bootstrap] Thinline needs Node 20.19+ (Node 20's ABI matches the uWebSockets.js binary); this is ${process.version}.`);
    process.exit(1);
  }
}

function missingDebianPackages(names) {
  return names.filter((name) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensureDebianPackages(names) {
  const missing = missingDebianPackages(names);
  if (missing.length === 0) return;
  const line = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`[bootstrap] missing Debian packages. Run as root:\n\n  sudo apt-get update && sudo ${line}\n`);
    process.exit(1);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

function newer(a, b) {
  return existsSync(a) && (!existsSync(b) || statSync(a).mtimeMs > statSync(b).mtimeMs);
}

function ensureNpmPackages() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && !newer(join(root, 'package-lock.json'), marker) && !newer(join(root, 'package.json'), marker)) return;
  log('installing npm packages (npm ci)');
  // Install scripts run only for packages package.json's `allowScripts` allows (npm 11):
  // better-sqlite3 builds from source here (its prebuilt download cannot work offline);
  // mediasoup's postinstall stays off (it would download a worker; we build it below).
  // Browsers are never downloaded: Debian's Chromium is used.
  const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', npm_config_build_from_source: 'true' };
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', env });
  if (!existsSync(join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))) {
    console.error('[bootstrap] better-sqlite3 was not built: is it listed in package.json "allowScripts"? (npm >= 11 needed)');
    process.exit(1);
  }
}

async function ensureWorker() {
  const { buildWorker, workerBinPath } = await import('./worker-build.mjs');
  if (existsSync(workerBinPath())) return;
  ensureDebianPackages(WORKER_PACKAGES);
  buildWorker({ log });
}

function latestMtime(dir) {
  let latest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    latest = Math.max(latest, s.isDirectory() ? latestMtime(p) : s.mtimeMs);
  }
  return latest;
}

function ensureClientBuild() {
  const index = join(root, 'dist', 'client', 'index.html');
  const sources = Math.max(latestMtime(join(root, 'client')), latestMtime(join(root, 'protocol')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  log('building the client');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
}

checkNode();
ensureDebianPackages(NPM_BUILD_PACKAGES);
ensureNpmPackages();
await ensureWorker();
if (forTests) ensureDebianPackages(TEST_PACKAGES);
else ensureClientBuild();
log('ready');
