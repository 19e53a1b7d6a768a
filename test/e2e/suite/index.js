// Entry point of the extension-host suite: VS Code (code-server through the `payload` URL, or a
// desktop VS Code through @vscode/test-electron) requires this file inside the extension host and
// awaits run(). The host's console cannot be captured under code-server, so a small reporter writes
// one JSON object per line to the file named by STOPCHECK_E2E_LOG (set through extensionEnvironment).
'use strict';
const fs = require('fs');
const path = require('path');

const repoRoot = path.resolve(__dirname, '..', '..', '..');

function loadMocha() {
  const candidates = [
    process.env.STOPCHECK_E2E_MOCHA,
    path.join(repoRoot, '.e2e', 'tools', 'node_modules', 'mocha'),
    'mocha',
  ].filter(Boolean);
  let last;
  for (const c of candidates) {
    try {
      return require(c);
    } catch (e) {
      last = e;
    }
  }
  throw new Error(`mocha not found (run node scripts/e2e-setup.mjs): ${last && last.message}`);
}

function makeReporter(logFile) {
  const write = (obj) => {
    const line = JSON.stringify({ ...obj, at: Date.now() }) + '\n';
    if (logFile) fs.appendFileSync(logFile, line);
    else process.stdout.write(line);
  };
  return function JsonLinesReporter(runner) {
    runner.on('start', () => write({ event: 'start', total: runner.total }));
    runner.on('pass', (t) => write({ event: 'pass', title: t.fullTitle(), duration: t.duration }));
    runner.on('fail', (t, err) => write({
      event: 'fail',
      title: t.fullTitle(),
      duration: t.duration,
      error: String((err && (err.stack || err.message)) || err),
    }));
    runner.on('pending', (t) => write({ event: 'pending', title: t.fullTitle() }));
    runner.on('end', () => write({ event: 'end', passes: runner.stats ? runner.stats.passes : undefined, failures: runner.failures }));
  };
}

exports.run = function run() {
  const logFile = process.env.STOPCHECK_E2E_LOG;
  const Mocha = loadMocha();
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.STOPCHECK_E2E_TEST_TIMEOUT || 30000),
    reporter: makeReporter(logFile),
  });
  const grep = process.env.STOPCHECK_E2E_GREP;
  if (grep) mocha.grep(grep);
  for (const f of fs.readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} e2e test(s) failed`)) : resolve()));
    } catch (e) {
      if (logFile) fs.appendFileSync(logFile, JSON.stringify({ event: 'fail', title: 'loading the extension-host suite', error: String(e && e.stack || e) }) + '\n');
      reject(e);
    }
  });
};
