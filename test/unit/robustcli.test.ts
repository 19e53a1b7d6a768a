// The CLI on hostile paths and flags (what test/unit/cli.test.ts does not already cover): unreadable
// and special paths exit 2 (or are skipped) with a clear message and never block, and `--fix` never
// rewrites a file unless the result still parses.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import './helpers';
import { main, stillParses } from '../../server/src/cli/main';

const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
const WARN_DF = 'FROM node:20\nCMD npm start\n';
let d: string;

interface Run { code: number; out: string; err: string }
async function run(argv: string[], cwd = d): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, cwd, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The bundled CLI with a timeout: a blocked read shows up as a killed process, not a stuck test. */
function runBin(argv: string[], cwd = d): Run & { signal: NodeJS.Signals | null } {
  const r = spawnSync(process.execPath, [CLI, ...argv], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr, signal: r.signal };
}

function write(rel: string, text: string, root = d): string {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

before(() => {
  d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stopcheck-robustcli-')));
  write('ok/Dockerfile', WARN_DF);
  fs.symlinkSync('nowhere', path.join(d, 'broken'));
  fs.symlinkSync('loop-b', path.join(d, 'loop-a'));
  fs.symlinkSync('loop-a', path.join(d, 'loop-b'));
  execFileSync('mkfifo', [path.join(d, 'fifo.Dockerfile')]);
});

after(() => fs.rmSync(d, { recursive: true, force: true }));

// ---- unreadable paths ---------------------------------------------------------------------------

const unreadable: Array<[string[], RegExp]> = [
  [['lint', 'broken'], /cannot read broken: no such file or directory/],
  [['lint', 'loop-a'], /cannot read loop-a: ELOOP/],
  [['lint', '-'], /cannot read -: no such file or directory/],
  [['lint', 'ok', 'broken', '--fail-on', 'never'], /cannot read broken/],
  [['simulate', 'broken'], /cannot read broken: no such file or directory/],
  [['simulate', 'ok'], /cannot simulate ok: not a text file/],
  [['simulate', 'fifo.Dockerfile'], /cannot simulate fifo\.Dockerfile: not a text file/],
  [['lint', '--config', 'ok'], /cannot read config ok: EISDIR/],
  [['lint', '--config', 'broken'], /cannot read config broken: ENOENT/],
];
for (const [argv, message] of unreadable) {
  test(`stopcheck ${argv.join(' ')} → exit 2 with a clear message`, async () => {
    const r = await run(argv);
    assert.equal(r.code, 2, `stdout:\n${r.out}\nstderr:\n${r.err}`);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /internal error|at .*\.js:\d+/, 'no stack trace');
  });
}

test('a path with a NUL byte → exit 2, no stack trace', async () => {
  const r = await run(['lint', 'ok\0/Dockerfile']);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /cannot read ok/);
  assert.doesNotMatch(r.err, /internal error/);
});

test('a file without read permission → exit 2 (not as root: root reads it anyway)', async (t) => {
  if (process.getuid?.() === 0) {
    t.skip('running as root: chmod 000 does not stop root from reading, so there is no unreadable file to make');
    return;
  }
  const p = write('noperm/Dockerfile', WARN_DF);
  fs.chmodSync(p, 0);
  fs.chmodSync(path.dirname(p), 0);
  try {
    const r = await run(['lint', 'noperm/Dockerfile']);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /cannot read noperm\/Dockerfile: EACCES/);
  } finally {
    fs.chmodSync(path.dirname(p), 0o755);
    fs.chmodSync(p, 0o644);
  }
});

test('a FIFO named explicitly → exit 2 with a clear message, not opened; the other paths are still linted', () => {
  const r = runBin(['lint', 'fifo.Dockerfile', 'ok/Dockerfile', '--format', 'json']);
  assert.equal(r.signal, null, 'the CLI blocked on the FIFO');
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /cannot lint fifo\.Dockerfile: not a regular file \(a FIFO\)/);
  assert.equal(JSON.parse(r.out).length, 2, 'the other file is still linted');
});

test('special and non-text paths named explicitly → exit 2 with a clear message; a regular text file alone → not 2', () => {
  write('bin/Dockerfile', 'FROM debian\0\x01\x02CMD ./app\n');
  fs.mkdirSync(path.join(d, 'emptydir'), { recursive: true });
  write('nolint/README.md', 'nothing to lint\n');
  const cases: Array<[string[], RegExp]> = [
    [['lint', 'fifo.Dockerfile'], /cannot lint fifo\.Dockerfile: not a regular file \(a FIFO\)/],
    [['lint', '/dev/null'], /cannot lint \/dev\/null: not a regular file \(a character device\)/],
    [['lint', 'emptydir'], /nothing to lint in emptydir: no Dockerfile, Compose file or Kubernetes manifest/],
    [['lint', 'nolint'], /nothing to lint in nolint/],
    [['lint', 'bin/Dockerfile'], /cannot lint bin\/Dockerfile: a binary file, not text/],
    [['lint', 'bin/Dockerfile', '--fix'], /cannot lint bin\/Dockerfile: a binary file, not text/],
  ];
  for (const [argv, message] of cases) {
    const r = runBin(argv);
    assert.equal(r.signal, null, `${argv.join(' ')} blocked`);
    assert.equal(r.code, 2, `${argv.join(' ')}\n${r.err}`);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /internal error|at .*\.js:\d+/, 'no stack trace');
  }
  assert.equal(runBin(['lint', 'ok/Dockerfile', '--fail-on', 'never']).code, 0);
});

test('in a folder walk, binary files are skipped silently', () => {
  const dir = path.join(d, 'walkbin');
  write('walkbin/Dockerfile', WARN_DF);
  write('walkbin/sub/Dockerfile', 'FROM debian\0\x01CMD ./app\n');
  const r = runBin(['lint', '.', '--format', 'json'], dir);
  assert.equal(r.code, 1, r.err);
  assert.equal(r.err, '');
  assert.deepEqual(JSON.parse(r.out).map((f: { file: string }) => f.file), ['Dockerfile', 'Dockerfile']);
});

test('a FIFO named .stopcheck.json where the config is looked for does not block lint', () => {
  const repo = path.join(d, 'fifocfg');
  write('fifocfg/Dockerfile', WARN_DF);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  execFileSync('mkfifo', [path.join(repo, '.stopcheck.json')]);
  const r = runBin(['lint', '.', '--format', 'json'], repo);
  assert.equal(r.signal, null, 'lint blocked reading the FIFO .stopcheck.json');
  assert.equal(r.code, 1, r.err);
  assert.deepEqual(JSON.parse(r.out).map((f: { rule: string }) => f.rule).sort(), ['STOP101', 'STOP105']);
  // simulate reads the config the same way.
  const s = runBin(['simulate', 'Dockerfile', '--format', 'json'], repo);
  assert.equal(s.signal, null, 'simulate blocked');
  assert.equal(s.code, 0, s.err);
});

test('a FIFO, a broken symlink and a device file inside a linted folder are skipped', () => {
  const dir = path.join(d, 'specials');
  write('specials/Dockerfile', WARN_DF);
  execFileSync('mkfifo', [path.join(dir, 'Dockerfile.fifo')]);
  fs.symlinkSync('/dev/zero', path.join(dir, 'Dockerfile.zero'));
  fs.symlinkSync('missing', path.join(dir, 'Dockerfile.broken'));
  for (const git of [false, true]) {
    if (git) execFileSync('git', ['init', '-q'], { cwd: dir });
    const r = runBin(['lint', '.', '--format', 'json'], dir);
    assert.equal(r.signal, null, `blocked (git: ${git})`);
    assert.deepEqual(JSON.parse(r.out).map((f: { file: string }) => f.file), ['Dockerfile', 'Dockerfile'], r.err);
  }
});

// ---- bad flags (beyond cli.test.ts) -------------------------------------------------------------------

const flags: Array<[string[], RegExp]> = [
  [['simulate', 'ok/Dockerfile', '--grace', '-1'], /--grace takes a number of seconds, got "-1"/],
  [['simulate', 'ok/Dockerfile', '--grace', '1e3'], /--grace takes a number of seconds/],
  [['simulate', 'ok/Dockerfile', '--grace'], /--grace needs a value/],
  [['simulate', 'ok/Dockerfile', '--grace='], /--grace takes a number of seconds, got ""/],
  [['simulate', 'ok/Dockerfile', '--service'], /--service needs a value/],
  [['simulate', 'ok/Dockerfile', '--container', '--grace', '3'], /--container needs a value/],
  [['lint', '--fix', '--dry-run', '--format', 'yaml'], /--format must be text, json or sarif/],
  [['lint', '--fail-on', 'ERROR'], /--fail-on must be error, warning, info or never/],
  [['lint', '--', 'ok'], /unknown option --/],
  [['--version', '--bogus'], /unknown option --bogus/],
];
for (const [argv, message] of flags) {
  test(`flags: stopcheck ${argv.join(' ')} → exit 2`, async () => {
    const r = await run(argv);
    assert.equal(r.code, 2, `stdout:\n${r.out}\nstderr:\n${r.err}`);
    assert.match(r.err, message);
    assert.equal(r.out, '', 'nothing on stdout');
  });
}

test('simulate --service / --container naming nothing → exit 2', async () => {
  write('svc/compose.yaml', 'services:\n  web:\n    image: debian:12\n    command: ["./app"]\n');
  write('svc/k8s.yaml', 'kind: Pod\nspec:\n  containers:\n  - name: app\n    image: debian:12\n');
  const a = await run(['simulate', 'svc/compose.yaml', '--service', 'nope']);
  assert.equal(a.code, 2);
  assert.match(a.err, /no service "nope" in svc\/compose\.yaml/);
  const b = await run(['simulate', 'svc/k8s.yaml', '--container', 'nope']);
  assert.equal(b.code, 2);
  assert.match(b.err, /no container "nope"/);
  });

// ---- --fix writes only what parses ------------------------------------------------------------------

// `init: false` next to the STOP403 fix: the fix replaces the value instead of adding a second
// `init:` key (a duplicate key, which YAML parsers reject).
const DUP_COMPOSE = 'services:\n  w:\n    image: debian:12\n    command: ["sleep", "infinity"]\n    init: false\n';

test('--fix turns an existing init: false into init: true (no duplicate key) and fixes the rest', async () => {
  const dir = path.join(d, 'fixguard');
  const compose = write('fixguard/compose.yaml', DUP_COMPOSE);
  const df = write('fixguard/Dockerfile', 'FROM node:20\nCMD node server.js\n');
  const r = await run(['lint', '.', '--fix', '--format', 'json'], dir);
  assert.doesNotMatch(r.err, /not fixing/);
  assert.equal(fs.readFileSync(compose, 'utf8'), DUP_COMPOSE.replace('init: false', 'init: true'));
  assert.equal(fs.readFileSync(df, 'utf8'), 'FROM node:20\nCMD ["node", "server.js"]\n', 'the Dockerfile is fixed too');
  assert.deepEqual(JSON.parse(r.out), [], 'nothing remains');
  assert.equal(r.code, 0);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['Dockerfile', 'compose.yaml'], 'no temporary files left');
});

test('the --fix parse guard refuses YAML with a duplicate key', () => {
  assert.equal(stillParses('/x/compose.yaml', DUP_COMPOSE, DUP_COMPOSE.replace('    image:', '    init: true\n    image:')), false);
  assert.equal(stillParses('/x/compose.yaml', DUP_COMPOSE, DUP_COMPOSE.replace('init: false', 'init: true')), true);
});
