// Offline build of the mediasoup C++ worker against Debian's system libraries.
//
// Goals: no network (the upstream postinstall downloads a prebuilt binary and meson
// subprojects, both impossible here), a binary that survives `npm ci` (it lives in
// .cache/, keyed by the mediasoup version), and a rebuild only when that version changes.
// Each subproject the worker's meson.build expects is replaced by a stub that declares
// the same variables from the system library.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function mediasoupVersion() {
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules/mediasoup/package.json'), 'utf8'));
  return pkg.version;
}

export function workerBinPath(version = mediasoupVersion()) {
  return join(root, '.cache', 'mediasoup-worker', version, 'mediasoup-worker');
}

const EMPTY_LIB = (name) => `static_library('${name}', 'empty.c')`;

// directory name inside subprojects/ -> [meson.build body, meson_options.txt body]
const STUBS = {
  openssl: [
    `openssl_dep = dependency('openssl')
libssl_dep = dependency('libssl')
libcrypto_dep = dependency('libcrypto')
libssl_lib = ${EMPTY_LIB('ssl_stub')}
libcrypto_lib = ${EMPTY_LIB('crypto_stub')}`,
    '',
  ],
  nlohmann_json: [`nlohmann_json_dep = dependency('nlohmann_json')`, ''],
  libuv: [
    `libuv_dep = dependency('libuv')
libuv = ${EMPTY_LIB('uv_stub')}`,
    `option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)`,
  ],
  libsrtp2: [
    // Debian installs srtp.h under <includedir>/srtp2, upstream includes <srtp.h>.
    `_srtp = dependency('libsrtp2')
libsrtp2_dep = declare_dependency(dependencies: _srtp,
  compile_args: ['-I' + _srtp.get_variable(pkgconfig: 'includedir') / 'srtp2'])
libsrtp2 = ${EMPTY_LIB('srtp_stub')}`,
    `option('crypto-library', type: 'string', value: 'openssl')
option('crypto-library-kdf', type: 'string', value: 'disabled')
option('tests', type: 'string', value: 'disabled')`,
  ],
  usrsctp: [
    `usrsctp_dep = dependency('usrsctp')
usrsctp = ${EMPTY_LIB('usrsctp_stub')}`,
    `option('sctp_build_programs', type: 'boolean', value: false)`,
  ],
  'abseil-cpp': [
    `_absl = declare_dependency(dependencies: [
  dependency('absl_btree'), dependency('absl_flat_hash_map'), dependency('absl_flat_hash_set'),
  dependency('absl_node_hash_map'), dependency('absl_inlined_vector'), dependency('absl_strings'),
  dependency('absl_optional')])
${['base', 'container', 'debugging', 'flags', 'hash', 'numeric', 'random', 'status', 'strings',
   'synchronization', 'time', 'types'].map((n) => `absl_${n}_dep = _absl`).join('\n')}
absl_container_lib = ${EMPTY_LIB('absl_stub')}`,
    '',
  ],
  catch2: [`catch2_dep = declare_dependency()`, ''],
};

function wrapDirectory(subprojectsDir, name) {
  const wrap = readFileSync(join(subprojectsDir, `${name}.wrap`), 'utf8');
  const m = /^directory\s*=\s*(.+)$/m.exec(wrap);
  if (!m) throw new Error(`no directory= in ${name}.wrap`);
  return m[1].trim();
}

export function buildWorker({ log = console.log } = {}) {
  const version = mediasoupVersion();
  const out = workerBinPath(version);
  if (existsSync(out)) return out;
  const src = join(root, 'node_modules/mediasoup/worker');
  const work = join(root, '.cache', 'mediasoup-worker', `${version}-build`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  log(`[worker] building mediasoup-worker ${version} offline (about 4 min on 2 cores)`);
  cpSync(src, join(work, 'worker'), {
    recursive: true,
    filter: (p) => !p.includes(`${'/'}out${'/'}`) && !p.endsWith('/out'),
  });
  const w = join(work, 'worker');
  const mesonBuild = join(w, 'meson.build');
  writeFileSync(mesonBuild, readFileSync(mesonBuild, 'utf8').replace(/meson_version: '>= 1\.1\.0'/, "meson_version: '>= 1.0.0'"));
  const subprojects = join(w, 'subprojects');
  for (const [name, [body, options]] of Object.entries(STUBS)) {
    const dir = join(subprojects, wrapDirectory(subprojects, name));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'meson.build'), `project('${name}', 'c')\n${body}\n`);
    writeFileSync(join(dir, 'empty.c'), 'void thinline_stub_' + name.replace(/\W/g, '_') + '(void) {}\n');
    if (options) writeFileSync(join(dir, 'meson_options.txt'), options + '\n');
  }
  const build = join(w, 'out');
  execFileSync('meson', ['setup', '--wrap-mode=nodownload', '--buildtype', 'release', build], { cwd: w, stdio: 'inherit' });
  execFileSync('ninja', ['-C', build, 'mediasoup-worker'], { cwd: w, stdio: 'inherit' });
  mkdirSync(dirname(out), { recursive: true });
  copyFileSync(join(build, 'mediasoup-worker'), out + '.tmp');
  chmodSync(out + '.tmp', 0o755);
  execFileSync('mv', [out + '.tmp', out]);
  rmSync(work, { recursive: true, force: true });
  log(`[worker] built ${out}`);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildWorker();
}
