#!/usr/bin/env node
// Desktop launcher for contributors with a network: downloads VS Code with @vscode/test-electron and
// runs the same extension-host suite (test/e2e/suite) there, on a fresh copy of examples/.
// Not part of `npm test` (CI has no VS Code download; it runs the suite in code-server, see run.mjs).
// Usage: node test/e2e/desktop.mjs            (VSCODE_VERSION=insiders|stable|1.91.0, default stable)
//        STOPCHECK_E2E_GREP=hover node test/e2e/desktop.mjs   (run only matching tests)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { VERSIONS } from '../../scripts/e2e-setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32', ...opts });
  if (r.status !== 0) {
    console.error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.error?.message})`);
    process.exit(1);
  }
}

/** mocha for the suite: the e2e tools folder's if set up, else a small folder of its own. */
function ensureMocha() {
  for (const dir of [join(root, '.e2e', 'tools'), join(root, '.e2e', 'desktop')]) {
    const m = join(dir, 'node_modules', 'mocha');
    if (existsSync(join(m, 'package.json'))) return m;
  }
  const dir = join(root, '.e2e', 'desktop');
  mkdirSync(dir, { recursive: true });
  sh(npm, ['install', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', dir, `mocha@${VERSIONS.mocha}`]);
  return join(dir, 'node_modules', 'mocha');
}

sh(process.execPath, [join(root, 'scripts', 'build.mjs')]);
const mocha = ensureMocha();
const runDir = mkdtempSync(join(tmpdir(), 'stopcheck-e2e-desktop-'));
const ws = join(runDir, 'examples');
cpSync(join(root, 'examples'), ws, { recursive: true });
const logFile = join(runDir, 'host-suite.log');

let code = 1;
try {
  code = await runTests({
    version: process.env.VSCODE_VERSION || 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'test', 'e2e', 'suite', 'index.js'),
    extensionTestsEnv: {
      STOPCHECK_E2E_LOG: logFile,
      STOPCHECK_E2E_MOCHA: mocha,
      ...(process.env.STOPCHECK_E2E_GREP ? { STOPCHECK_E2E_GREP: process.env.STOPCHECK_E2E_GREP } : {}),
    },
    launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust',
      '--user-data-dir', join(runDir, 'user-data')],
  });
} catch (e) {
  console.error(`VS Code run failed: ${e?.message ?? e}`);
}

let ok = 0;
let notOk = 0;
if (existsSync(logFile)) {
  for (const line of readFileSync(logFile, 'utf8').split('\n').filter(Boolean)) {
    const e = JSON.parse(line);
    if (e.event === 'pass') {
      ok++;
      console.log(`  ok    ${e.title}`);
    } else if (e.event === 'fail') {
      notOk++;
      console.log(`  FAIL  ${e.title}\n${String(e.error).split('\n').map((l) => `        ${l}`).join('\n')}`);
    }
  }
} else {
  notOk++;
  console.log('  FAIL  the extension-host suite wrote no results');
}
rmSync(runDir, { recursive: true, force: true });
console.log(`E2E RESULT (desktop): ${ok} ok, ${notOk} not ok`);
process.exit(code !== 0 || notOk > 0 || ok === 0 ? 1 : 0);
