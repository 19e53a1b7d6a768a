// The CLI contract: `stopcheck lint` (text, JSON, SARIF, exit codes, config, directory walking),
// `stopcheck simulate`, `rules` and `--version`. Runs `main` in-process and the bundled dist/cli.js.
import { test, describe, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync, execFileSync } from 'child_process';
import Ajv from 'ajv-draft-04';
import './helpers';
import { main } from '../../server/src/cli/main';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const SARIF_SCHEMA = path.join(ROOT, 'test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json');
const PKG_VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

interface Run { code: number; out: string; err: string }

/** `main` in-process, with stdout/stderr captured. */
async function run(argv: string[], cwd: string): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, cwd, (s) => out.push(s + '\n'), (s) => err.push(s + '\n'));
  return { code, out: out.join(''), err: err.join('') };
}

/** The bundled CLI as a child process. */
function runBin(argv: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [CLI, ...argv], {
    cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

interface JF {
  file: string; line: number; column: number; endLine: number; endColumn: number;
  rule: string; severity: string; message: string; related: Array<{ file: string; line: number; message: string }>;
}

async function lintJson(argv: string[], cwd: string): Promise<{ code: number; findings: JF[]; err: string }> {
  const r = await run(['lint', '--format', 'json', ...argv], cwd);
  let findings: JF[];
  try {
    findings = JSON.parse(r.out);
  } catch (e) {
    assert.fail(`stdout is not JSON (${(e as Error).message}); exit ${r.code}; stdout:\n${r.out}\nstderr:\n${r.err}`);
  }
  return { code: r.code, findings, err: r.err };
}

const brief = (fs_: JF[]) => fs_.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`);

function write(root: string, rel: string, text: string, mode?: number): void {
  const abs = path.join(root, ...rel.split('/'));
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
  if (mode !== undefined) fs.chmodSync(abs, mode);
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=stopcheck-test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
  });
}

function insideGit(dir: string): boolean {
  try {
    execFileSync('git', ['rev-parse', '--git-dir'], { cwd: dir, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// ---- fixtures -------------------------------------------------------------------------------------

const WARN_DF = 'FROM node:20\nCMD npm start\n'; // STOP101 + STOP105 at 2:5-2:14
const ERROR_DF = 'FROM debian\nSTOPSIGNAL NOPE\nCMD ["./app"]\n'; // STOP108 at 2:12-2:16
const CLEAN_DF = 'FROM alpine\nCMD ["./app"]\n';
const INFO_DF = 'FROM debian\nENTRYPOINT ["tini", "--", "dumb-init", "./app"]\n'; // STOP110 only
const UNI_CMD = 'CMD echo "héllo 😀" && ./app';
const UNI_DF = `FROM debian\n${UNI_CMD}\n`;
const UNI_TINI = 'ENTRYPOINT ["/opt/é😀/tini", "--", "dumb-init", "./app"]';
const UNI_SCRIPT_LINE = 'echo "héllo 😀"; ./app';

const tmpDirs: string[] = [];
function tmp(prefix: string): string {
  // realpath: on macOS /tmp is a symlink and path.relative would see two different trees.
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `stopcheck-cli-${prefix}-`)));
  tmpDirs.push(d);
  return d;
}
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A git work tree with findings at several depths, skipped folders and non-ASCII text. */
let ws: string;
/** Single-severity Dockerfiles, outside git (plain directory walk). */
let levels: string;

before(() => {
  ws = tmp('ws');
  git(ws, 'init', '-q');
  write(ws, 'Dockerfile', WARN_DF);
  write(ws, 'svc/api/Dockerfile', ERROR_DF);
  write(ws, 'svc/clean/Dockerfile', CLEAN_DF);
  write(ws, 'svc/multi/Containerfile', 'FROM debian\nCMD ./app\nSTOPSIGNAL NOPE\n');
  write(ws, 'unicode/Dockerfile', UNI_DF);
  write(ws, 'unicode/tini.dockerfile', `FROM debian\n${UNI_TINI}\n`);
  write(ws, 'unicode/script/Dockerfile', 'FROM debian\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n');
  write(ws, 'unicode/script/start.sh', `#!/bin/sh\n${UNI_SCRIPT_LINE}\n`, 0o755);
  write(ws, 'docs/README.md', 'FROM debian\nCMD ./app\n'); // not a Dockerfile name: not walked
  // Must be skipped: node_modules, and a git-ignored folder (at the root and nested).
  write(ws, 'node_modules/x/Dockerfile', WARN_DF);
  write(ws, 'svc/node_modules/y/Dockerfile', WARN_DF);
  write(ws, '.gitignore', 'build/\n*.ignored.dockerfile\n');
  write(ws, 'build/Dockerfile', WARN_DF);
  write(ws, 'svc/build/Dockerfile', ERROR_DF);
  write(ws, 'svc/api/old.ignored.dockerfile', ERROR_DF);
  // Some files committed, the rest untracked: both must be seen. A committed file deleted since is no error.
  write(ws, 'svc/gone/Dockerfile', WARN_DF);
  git(ws, 'add', 'Dockerfile', 'svc/api/Dockerfile', 'svc/gone/Dockerfile', '.gitignore');
  git(ws, 'commit', '-q', '-m', 'fixtures');
  fs.rmSync(path.join(ws, 'svc', 'gone'), { recursive: true });

  levels = tmp('levels');
  write(levels, 'warning/Dockerfile', WARN_DF);
  write(levels, 'error/Dockerfile', ERROR_DF);
  write(levels, 'info/Dockerfile', INFO_DF);
  write(levels, 'clean/Dockerfile', CLEAN_DF);
  write(levels, 'node_modules/x/Dockerfile', ERROR_DF);
  write(levels, '.git/Dockerfile', ERROR_DF); // a stray .git folder (not a repository) is skipped too
});

// ---- lint --format json -----------------------------------------------------------------------------

describe('lint --format json', () => {
  const EXPECTED = [
    'Dockerfile:2:5 STOP101',
    'Dockerfile:2:5 STOP105',
    'svc/api/Dockerfile:2:12 STOP108',
    'svc/multi/Containerfile:2:5 STOP101',
    'svc/multi/Containerfile:3:12 STOP108',
    'unicode/Dockerfile:2:5 STOP101',
    'unicode/script/Dockerfile:3:7 STOP201',
    'unicode/script/start.sh:2:18 STOP201',
    'unicode/tini.dockerfile:2:37 STOP110',
  ];

  test('walks the tree: finds every Dockerfile, skips node_modules, .git-ignored files and other files', async () => {
    const { code, findings, err } = await lintJson([], ws);
    assert.deepEqual(brief(findings), EXPECTED, err);
    assert.equal(code, 1);
    assert.equal(err, '', 'no diagnostics on stderr for a normal run');
    for (const f of findings) {
      assert.ok(!/node_modules|(^|\/)build\/|ignored|docs\//.test(f.file), `${f.file} should have been skipped`);
    }
  });

  test('"." and the absolute path of the folder give the same result as no path', async () => {
    const none = await lintJson([], ws);
    const dot = await lintJson(['.'], ws);
    const abs = await lintJson([ws], ws);
    assert.deepEqual(dot.findings, none.findings);
    assert.deepEqual(abs.findings, none.findings);
  });

  test('every finding has exactly the documented fields with the documented types', async () => {
    const { findings } = await lintJson([], ws);
    assert.ok(Array.isArray(findings));
    assert.ok(findings.length > 0);
    for (const f of findings) {
      assert.deepEqual(Object.keys(f).sort(), ['column', 'endColumn', 'endLine', 'file', 'line', 'message', 'related', 'rule', 'severity'].sort());
      assert.equal(typeof f.file, 'string');
      assert.ok(!f.file.includes('\\') && !path.isAbsolute(f.file), `file is relative with / separators: ${f.file}`);
      for (const k of ['line', 'column', 'endLine', 'endColumn'] as const) {
        assert.ok(Number.isInteger(f[k]) && f[k] >= 1, `${k} is a 1-based integer: ${f[k]}`);
      }
      assert.ok(f.endLine > f.line || (f.endLine === f.line && f.endColumn > f.column), `non-empty range ${f.line}:${f.column}-${f.endLine}:${f.endColumn}`);
      assert.match(f.rule, /^STOP\d{3}$/);
      assert.ok(['error', 'warning', 'info'].includes(f.severity), f.severity);
      assert.equal(typeof f.message, 'string');
      assert.ok(f.message.length > 0);
      assert.ok(Array.isArray(f.related));
      for (const r of f.related) {
        assert.deepEqual(Object.keys(r).sort(), ['file', 'line', 'message']);
        assert.equal(typeof r.file, 'string');
        assert.ok(!r.file.includes('\\') && !path.isAbsolute(r.file));
        assert.ok(Number.isInteger(r.line) && r.line >= 1);
        assert.equal(typeof r.message, 'string');
      }
    }
  });

  test('sorted by file, then line, then column', async () => {
    const { findings } = await lintJson([], ws);
    for (let i = 1; i < findings.length; i++) {
      const a = findings[i - 1];
      const b = findings[i];
      const ok = a.file < b.file || (a.file === b.file && (a.line < b.line || (a.line === b.line && a.column <= b.column)));
      assert.ok(ok, `out of order: ${brief([a, b]).join(' then ')}`);
    }
    // Several files in nested folders, and several lines within one file.
    assert.ok(new Set(findings.map((f) => f.file)).size >= 5);
    const multi = findings.filter((f) => f.file === 'svc/multi/Containerfile').map((f) => f.line);
    assert.deepEqual(multi, [2, 3]);
  });

  test('1-based positions and exclusive endColumn, checked against the source text', async () => {
    const { findings } = await lintJson([], ws);
    const npm = findings.find((f) => f.file === 'Dockerfile' && f.rule === 'STOP105');
    assert.ok(npm);
    // Line 2 is `CMD npm start`: the command `npm start` spans columns 5..13, so endColumn is 14.
    assert.deepEqual([npm.line, npm.column, npm.endLine, npm.endColumn], [2, 5, 2, 14]);
    assert.equal(npm.severity, 'warning');
    const sig = findings.find((f) => f.rule === 'STOP108' && f.file === 'svc/api/Dockerfile');
    assert.ok(sig);
    const line = ERROR_DF.split('\n')[sig.line - 1];
    assert.equal(line.slice(sig.column - 1, sig.endColumn - 1), 'NOPE');
    assert.equal(sig.severity, 'error');
    assert.equal(findings.find((f) => f.rule === 'STOP101' && f.file === 'Dockerfile')?.severity, 'warning');
  });

  test('columns count UTF-16 code units (as in LSP), not bytes or code points', async () => {
    const { findings } = await lintJson(['unicode'], ws);
    // A finding that starts after non-ASCII text on its line (é is 1 unit / 2 bytes, 😀 is 2 units / 4 bytes).
    const tini = findings.find((f) => f.file === 'unicode/tini.dockerfile');
    assert.ok(tini, brief(findings).join('\n'));
    assert.equal(tini.rule, 'STOP110');
    const u16 = UNI_TINI.indexOf('dumb-init');
    assert.equal(u16, 36);
    assert.equal(tini.column, u16 + 1);
    assert.equal(tini.endColumn, u16 + 'dumb-init'.length + 1);
    assert.equal(UNI_TINI.slice(tini.column - 1, tini.endColumn - 1), 'dumb-init');
    assert.notEqual(tini.column, [...UNI_TINI.slice(0, u16)].length + 1, 'code points would give a smaller column');
    // The same in a start script (parsed by tree-sitter, which counts bytes).
    const script = findings.find((f) => f.file === 'unicode/script/start.sh');
    assert.ok(script, brief(findings).join('\n'));
    assert.equal(script.line, 2);
    assert.equal(UNI_SCRIPT_LINE.slice(script.column - 1, script.endColumn - 1), './app');
    assert.equal(script.column, 18);
    assert.equal(script.related[0]?.file, 'unicode/script/Dockerfile');
    assert.equal(script.related[0]?.line, 3);
    // A range that ends after non-ASCII text: the whole shell-form command.
    const cmd = findings.find((f) => f.file === 'unicode/Dockerfile');
    assert.ok(cmd);
    assert.equal(cmd.rule, 'STOP101');
    assert.equal(cmd.column, 5);
    assert.equal(cmd.endColumn, UNI_CMD.length + 1);
    assert.equal(cmd.endColumn, 29);
  });

  test('file paths are relative to the current directory, also for paths outside it', async () => {
    const sub = path.join(ws, 'svc');
    const { findings } = await lintJson(['..'], sub);
    assert.ok(findings.some((f) => f.file === '../Dockerfile'), brief(findings).join('\n'));
    assert.ok(findings.some((f) => f.file === 'api/Dockerfile'), brief(findings).join('\n'));
    assert.ok(findings.some((f) => f.file === '../unicode/script/start.sh'));
    // The root .gitignore applies when linting from a subfolder too.
    const here = await lintJson([], sub);
    assert.deepEqual(brief(here.findings), ['api/Dockerfile:2:12 STOP108', 'multi/Containerfile:2:5 STOP101', 'multi/Containerfile:3:12 STOP108']);
    // Linting a subfolder from the root keeps paths relative to the cwd, not to the folder.
    const fromRoot = await lintJson(['svc/api'], ws);
    assert.deepEqual(brief(fromRoot.findings), ['svc/api/Dockerfile:2:12 STOP108']);
  });

  test('a file named explicitly is linted; several paths are merged and each file reported once', async () => {
    const { code, findings } = await lintJson(['Dockerfile', 'svc/api/Dockerfile', '.', './Dockerfile'], ws);
    assert.equal(code, 1);
    assert.equal(findings.filter((f) => f.file === 'Dockerfile' && f.rule === 'STOP105').length, 1);
    assert.equal(findings.filter((f) => f.file === 'svc/api/Dockerfile').length, 1);
  });

  test('a script run by two Dockerfiles is reported once', async () => {
    const d = tmp('shared');
    write(d, 'Dockerfile', 'FROM debian\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n');
    write(d, 'Dockerfile.dev', 'FROM debian\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n');
    write(d, 'start.sh', '#!/bin/sh\n./app\n', 0o755);
    const { findings } = await lintJson([], d);
    assert.equal(findings.filter((f) => f.file === 'start.sh').length, 1, brief(findings).join('\n'));
    assert.equal(findings.filter((f) => f.file !== 'start.sh').length, 2);
  });

  test('a nested repository inside the work tree is walked too, with its own .gitignore', async () => {
    const d = tmp('nested');
    git(d, 'init', '-q');
    write(d, 'Dockerfile', CLEAN_DF);
    const inner = path.join(d, 'vendor', 'inner');
    fs.mkdirSync(inner, { recursive: true });
    git(inner, 'init', '-q');
    write(inner, 'Dockerfile', ERROR_DF);
    write(inner, '.gitignore', 'out/\n');
    write(inner, 'out/Dockerfile', WARN_DF);
    write(inner, 'node_modules/z/Dockerfile', WARN_DF);
    const { findings } = await lintJson([], d);
    assert.deepEqual(brief(findings), ['vendor/inner/Dockerfile:2:12 STOP108']);
  });

  test('outside git: a plain walk that still skips node_modules and .git', async (t) => {
    if (insideGit(levels)) {
      t.skip('the temp folder is inside a git work tree');
      return;
    }
    const { findings } = await lintJson(['--fail-on', 'never'], levels);
    assert.deepEqual(brief(findings), [
      'error/Dockerfile:2:12 STOP108',
      'info/Dockerfile:2:28 STOP110',
      'warning/Dockerfile:2:5 STOP101',
      'warning/Dockerfile:2:5 STOP105',
    ]);
  });

  test('no Dockerfiles: an empty array and exit 0', async () => {
    const d = tmp('empty');
    write(d, 'README.md', 'nothing here\n');
    const { code, findings } = await lintJson([], d);
    assert.deepEqual(findings, []);
    assert.equal(code, 0);
  });
});

// ---- exit codes -----------------------------------------------------------------------------------

describe('lint exit codes', () => {
  // [folder, --fail-on, expected exit]
  const table: Array<[string, string | undefined, number]> = [
    ['error', 'error', 1], ['error', 'warning', 1], ['error', 'info', 1], ['error', 'never', 0], ['error', undefined, 1],
    ['warning', 'error', 0], ['warning', 'warning', 1], ['warning', 'info', 1], ['warning', 'never', 0], ['warning', undefined, 1],
    ['info', 'error', 0], ['info', 'warning', 0], ['info', 'info', 1], ['info', 'never', 0], ['info', undefined, 0],
    ['clean', 'error', 0], ['clean', 'warning', 0], ['clean', 'info', 0], ['clean', 'never', 0], ['clean', undefined, 0],
  ];
  for (const [dir, failOn, expected] of table) {
    test(`${dir} findings with ${failOn ? `--fail-on ${failOn}` : 'the default --fail-on'} → exit ${expected}`, async () => {
      const argv = ['lint', dir, ...(failOn ? ['--fail-on', failOn] : [])];
      const r = await run(argv, levels);
      assert.equal(r.code, expected, `stdout:\n${r.out}\nstderr:\n${r.err}`);
    });
  }

  test('--fail-on=VALUE works like --fail-on VALUE', async () => {
    assert.equal((await run(['lint', 'info', '--fail-on=info'], levels)).code, 1);
    assert.equal((await run(['lint', 'error', '--fail-on=never', '--format=json'], levels)).code, 0);
  });

  test('the bundled CLI returns the same exit codes', () => {
    assert.equal(runBin(['lint', 'warning'], levels).code, 1);
    assert.equal(runBin(['lint', 'warning', '--fail-on', 'error'], levels).code, 0);
    assert.equal(runBin(['lint', 'info', '--fail-on', 'info'], levels).code, 1);
    assert.equal(runBin(['lint', 'error', '--fail-on', 'never'], levels).code, 0);
    assert.equal(runBin(['lint', 'clean'], levels).code, 0);
  });

  // [argv, expected stderr]
  const usage: Array<[string[], RegExp]> = [
    [['lint', '--bogus'], /unknown option --bogus/],
    [['lint', '-x'], /unknown option -x/],
    [['lint', '--format', 'xml'], /--format/],
    [['lint', '--format'], /--format needs a value/],
    [['lint', '--format', '--fail-on', 'never'], /--format needs a value/],
    [['lint', '--fail-on', 'sometimes'], /--fail-on/],
    [['lint', '--fail-on'], /--fail-on needs a value/],
    [['lint', '--config'], /--config needs a value/],
    [['lint', '--format='], /--format/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ];
  for (const [argv, message] of usage) {
    test(`usage error: stopcheck ${argv.join(' ')} → exit 2`, async () => {
      const r = await run(argv, levels);
      assert.equal(r.code, 2, `stdout:\n${r.out}\nstderr:\n${r.err}`);
      assert.match(r.err, message);
      assert.equal(r.out, '', 'nothing on stdout');
    });
  }

  test('usage errors from the bundled CLI: exit 2 and a message on stderr', () => {
    for (const argv of [['lint', '--bogus'], ['lint', '--format', 'xml'], ['lint', '--fail-on'], ['simulate']]) {
      const r = runBin(argv, levels);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
      assert.match(r.err, /stopcheck: /);
      assert.equal(r.out, '');
    }
  });

  test('a nonexistent path → exit 2 with "cannot read", also with --fail-on never', async () => {
    const r = await run(['lint', 'no/such/dir'], levels);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read no\/such\/dir/);
    const never = await run(['lint', 'clean', 'missing.Dockerfile', '--fail-on', 'never'], levels);
    assert.equal(never.code, 2);
    assert.match(never.err, /cannot read missing\.Dockerfile/);
    const bin = runBin(['lint', 'nope'], levels);
    assert.equal(bin.code, 2);
    assert.match(bin.err, /cannot read nope/);
  });

  test('a nonexistent path next to a real one: the real one is still reported', async () => {
    const { code, findings, err } = await lintJson(['error', 'nope'], levels);
    assert.equal(code, 2);
    assert.match(err, /cannot read nope/);
    assert.deepEqual(brief(findings), ['error/Dockerfile:2:12 STOP108']);
  });
});

// ---- configuration --------------------------------------------------------------------------------

describe('lint configuration', () => {
  test('--config FILE disables a rule and overrides a severity', async () => {
    const d = tmp('cfg');
    write(d, 'Dockerfile', WARN_DF);
    write(d, 'conf/rules.json', JSON.stringify({ disabledRules: ['STOP105'], severity: { STOP101: 'info' } }));
    const base = await lintJson([], d);
    assert.deepEqual(base.findings.map((f) => f.rule), ['STOP101', 'STOP105']);
    const r = await lintJson(['--config', 'conf/rules.json'], d);
    assert.deepEqual(r.findings.map((f) => `${f.rule}/${f.severity}`), ['STOP101/info']);
    assert.equal(r.code, 0, 'only an info finding is left, below the default threshold');
    assert.equal((await run(['lint', '--config', 'conf/rules.json', '--fail-on', 'info'], d)).code, 1);
    const bin = runBin(['lint', '--format', 'json', `--config=${path.join(d, 'conf', 'rules.json')}`], d);
    assert.equal(bin.code, 0, bin.err);
    assert.deepEqual(JSON.parse(bin.out).map((f: JF) => f.rule), ['STOP101']);
  });

  test('--config pointing to a missing file → exit 2', async () => {
    const r = await run(['lint', '--config', 'nope.json'], levels);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read config nope\.json/);
  });

  test('.stopcheck.json is found from the cwd upward, up to the git root', async () => {
    const outer = tmp('cfgrepo');
    // Above the git root: must not apply.
    write(outer, '.stopcheck.json', JSON.stringify({ disabledRules: ['STOP101', 'STOP105', 'STOP108'] }));
    const repo = path.join(outer, 'repo');
    fs.mkdirSync(repo);
    git(repo, 'init', '-q');
    write(repo, 'app/deep/Dockerfile', WARN_DF);
    const deep = path.join(repo, 'app', 'deep');
    let r = await lintJson([], deep);
    assert.deepEqual(r.findings.map((f) => f.rule), ['STOP101', 'STOP105'], 'a config above the git root is ignored');
    // At the git root: applies from any folder below it.
    write(repo, '.stopcheck.json', JSON.stringify({ disabledRules: ['STOP101'], severity: { STOP105: 'error' } }));
    r = await lintJson([], deep);
    assert.deepEqual(r.findings.map((f) => `${f.rule}/${f.severity}`), ['STOP105/error']);
    r = await lintJson(['app'], repo);
    assert.deepEqual(r.findings.map((f) => `${f.file} ${f.rule}/${f.severity}`), ['app/deep/Dockerfile STOP105/error']);
    // A nearer one wins.
    write(repo, 'app/.stopcheck.json', JSON.stringify({ disabledRules: ['STOP105'] }));
    r = await lintJson([], deep);
    assert.deepEqual(r.findings.map((f) => f.rule), ['STOP101']);
    // The bundled CLI finds it too.
    const bin = runBin(['lint', '--format', 'json'], deep);
    assert.deepEqual(JSON.parse(bin.out).map((f: JF) => f.rule), ['STOP101']);
    // --config wins over discovery.
    write(repo, 'other.json', '{}');
    r = await lintJson(['--config', '../../other.json'], deep);
    assert.deepEqual(r.findings.map((f) => f.rule), ['STOP101', 'STOP105']);
  });

  test('a broken config is reported on stderr, and linting goes on', async () => {
    const d = tmp('badcfg');
    write(d, 'Dockerfile', WARN_DF);
    write(d, 'c.json', JSON.stringify({ disabledRules: 'STOP101', bogus: 1 }));
    const r = await lintJson(['--config', 'c.json'], d);
    assert.match(r.err, /bogus/);
    assert.deepEqual(r.findings.map((f) => f.rule), ['STOP101', 'STOP105']);
  });
});

// ---- SARIF ----------------------------------------------------------------------------------------

describe('lint --format sarif', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Sarif = any;
  let validate: ReturnType<Ajv['compile']>;
  before(() => {
    // The published schema has a `language` pattern that is not valid with the `u` flag ajv uses by default.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    validate = ajv.compile(JSON.parse(fs.readFileSync(SARIF_SCHEMA, 'utf8')));
  });

  function assertValid(log: Sarif): void {
    const ok = validate(log);
    const errors = validate.errors ?? [];
    if (!ok) console.error(JSON.stringify(errors, null, 2));
    assert.equal(errors.length, 0, `SARIF schema errors:\n${JSON.stringify(errors, null, 2)}`);
    assert.ok(ok);
  }

  test('validates against the SARIF 2.1.0 schema and matches the JSON findings', async () => {
    const r = await run(['lint', '--format', 'sarif'], ws);
    assert.equal(r.code, 1);
    const log: Sarif = JSON.parse(r.out);
    assertValid(log);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const { findings } = await lintJson([], ws);
    const results = log.runs[0].results;
    assert.equal(results.length, findings.length);
    results.forEach((res: Sarif, i: number) => {
      const f = findings[i];
      assert.equal(res.ruleId, f.rule);
      assert.equal(res.message.text, f.message);
      assert.equal(res.level, { error: 'error', warning: 'warning', info: 'note' }[f.severity]);
      const loc = res.locations[0].physicalLocation;
      assert.equal(loc.artifactLocation.uri, encodeURI(f.file));
      assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.deepEqual(loc.region, { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn });
      assert.equal((res.relatedLocations ?? []).length, f.related.length);
    });
  });

  test('carries what GitHub code scanning needs', async () => {
    const log: Sarif = JSON.parse((await run(['lint', '--format', 'sarif'], ws)).out);
    const runObj = log.runs[0];
    const driver = runObj.tool.driver;
    assert.equal(driver.name, 'stopcheck');
    assert.equal(typeof driver.version, 'string');
    assert.ok(Array.isArray(driver.rules));
    const ids: string[] = driver.rules.map((r: Sarif) => r.id);
    for (let n = 101; n <= 110; n++) assert.ok(ids.includes(`STOP${n}`), `rule STOP${n} in tool.driver.rules`);
    assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
    for (const rule of driver.rules) {
      assert.match(rule.helpUri, /^https:\/\/\S+STOP\d{3}/, `${rule.id} has a help URI`);
      assert.ok(rule.shortDescription?.text, `${rule.id} has a short description`);
      assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration?.level), `${rule.id} default level`);
    }
    assert.equal(runObj.columnKind, 'utf16CodeUnits');
    assert.match(runObj.originalUriBaseIds['%SRCROOT%'].uri, /^file:\/\/\/.*\/$/);
    const fingerprints = new Set<string>();
    assert.ok(runObj.results.length > 0);
    for (const res of runObj.results) {
      assert.match(res.ruleId, /^STOP\d{3}$/);
      assert.ok(['error', 'warning', 'note'].includes(res.level));
      assert.equal(typeof res.message.text, 'string');
      if (res.ruleIndex !== undefined) assert.equal(driver.rules[res.ruleIndex].id, res.ruleId, 'ruleIndex points at the rule');
      assert.equal(res.locations.length, 1);
      const loc = res.locations[0].physicalLocation;
      assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.ok(!loc.artifactLocation.uri.startsWith('/') && !loc.artifactLocation.uri.includes('\\'));
      assert.ok(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1);
      assert.ok(Number.isInteger(loc.region.startColumn) && loc.region.startColumn >= 1);
      assert.ok(res.partialFingerprints && typeof res.partialFingerprints === 'object');
      const values = Object.values(res.partialFingerprints) as string[];
      assert.ok(values.length > 0 && values.every((v) => typeof v === 'string' && v.length > 0));
      fingerprints.add(JSON.stringify(res.partialFingerprints));
    }
    assert.equal(fingerprints.size, runObj.results.length, 'every result has its own fingerprint');
  });

  test('fingerprints are stable across runs and line moves, and the non-ASCII region is in UTF-16 units', async () => {
    const d = tmp('fp');
    write(d, 'Dockerfile', `FROM debian\n${UNI_TINI}\n`);
    const first: Sarif = JSON.parse((await run(['lint', '--format', 'sarif'], d)).out);
    const again: Sarif = JSON.parse((await run(['lint', '--format', 'sarif'], d)).out);
    assertValid(first);
    assert.deepEqual(again.runs[0].results.map((r: Sarif) => r.partialFingerprints), first.runs[0].results.map((r: Sarif) => r.partialFingerprints));
    const region = first.runs[0].results[0].locations[0].physicalLocation.region;
    assert.equal(region.startColumn, UNI_TINI.indexOf('dumb-init') + 1);
    // A comment line added above moves the finding but keeps its fingerprint.
    write(d, 'Dockerfile', `FROM debian\n# a comment\n${UNI_TINI}\n`);
    const moved: Sarif = JSON.parse((await run(['lint', '--format', 'sarif'], d)).out);
    assert.equal(moved.runs[0].results[0].locations[0].physicalLocation.region.startLine, 3);
    assert.deepEqual(moved.runs[0].results[0].partialFingerprints, first.runs[0].results[0].partialFingerprints);
  });

  test('artifact URIs escape "#" and "?" (a C# project folder is not a fragment)', async () => {
    const d = tmp('uri');
    write(d, 'c#/api?v2/Dockerfile', WARN_DF);
    write(d, 'with space/Dockerfile', WARN_DF);
    const log: Sarif = JSON.parse((await run(['lint', '--format', 'sarif'], d)).out);
    assertValid(log);
    const uris = log.runs[0].results.map((r: Sarif) => r.locations[0].physicalLocation.artifactLocation.uri);
    assert.ok(uris.includes('c%23/api%3Fv2/Dockerfile'), uris.join(', '));
    assert.ok(uris.includes('with%20space/Dockerfile'), uris.join(', '));
    for (const u of uris) {
      const parsed = new URL(u, 'file:///root/');
      assert.equal(parsed.hash, '');
      assert.equal(parsed.search, '');
    }
    // The JSON keeps the plain path.
    const { findings } = await lintJson([], d);
    assert.ok(findings.some((f) => f.file === 'c#/api?v2/Dockerfile'));
  });

  test('an empty run is valid SARIF too', async () => {
    const r = await run(['lint', 'clean', '--format', 'sarif'], levels);
    assert.equal(r.code, 0);
    const log: Sarif = JSON.parse(r.out);
    assertValid(log);
    assert.deepEqual(log.runs[0].results, []);
    assert.ok(log.runs[0].tool.driver.rules.length >= 10);
  });

  test('the bundled CLI prints valid SARIF', () => {
    const r = runBin(['lint', '--format', 'sarif', '--fail-on', 'never'], ws);
    assert.equal(r.code, 0, r.err);
    const log: Sarif = JSON.parse(r.out);
    assertValid(log);
    assert.equal(log.runs[0].tool.driver.version, PKG_VERSION);
  });
});

// ---- text -----------------------------------------------------------------------------------------

describe('lint --format text', () => {
  test('lists each file and finding, and ends with a summary line', async () => {
    const r = await run(['lint'], ws);
    assert.equal(r.code, 1);
    const lines = r.out.replace(/\n$/, '').split('\n');
    const { findings } = await lintJson([], ws);
    for (const f of findings) {
      assert.ok(lines.includes(f.file), `file heading ${f.file}`);
      assert.ok(lines.some((l) => l.includes(`${f.line}:${f.column}`) && l.includes(f.rule) && l.includes(f.severity) && l.includes(f.message)),
        `a line for ${f.file}:${f.line}:${f.column} ${f.rule}`);
    }
    const n = (s: string) => findings.filter((f) => f.severity === s).length;
    const last = lines[lines.length - 1];
    assert.match(last, /^\d+ problems? \(\d+ errors?, \d+ warnings?, \d+ info\)$/);
    assert.equal(last, `${findings.length} problems (${n('error')} error${n('error') === 1 ? '' : 's'}, ${n('warning')} warnings, ${n('info')} info)`);
    assert.ok(!r.out.includes('\x1b['), 'no colour when stdout is not a terminal');
  });

  test('text is the default format; a clean run says so', async () => {
    const r = await run(['lint', 'clean'], levels);
    assert.equal(r.code, 0);
    assert.equal(r.out.trim(), 'No problems found.');
  });

  test('the bundled CLI end to end: text, then JSON identical to the in-process run', async () => {
    const text = runBin(['lint'], ws);
    assert.equal(text.code, 1, text.err);
    assert.match(text.out.trimEnd().split('\n').pop() ?? '', /^\d+ problems \(/);
    assert.ok(!text.out.includes('\x1b['));
    const bin = runBin(['lint', '--format', 'json'], ws);
    assert.equal(bin.code, 1, bin.err);
    const { findings } = await lintJson([], ws);
    assert.deepEqual(JSON.parse(bin.out), findings);
  });
});

// ---- simulate -------------------------------------------------------------------------------------

describe('simulate', () => {
  let d: string;
  before(() => {
    d = tmp('sim');
    write(d, 'killed/Dockerfile', 'FROM debian\nCMD ./app\n');
    write(d, 'graceful/Dockerfile', CLEAN_DF);
    write(d, 'multi/Dockerfile', 'FROM golang:1.22 AS build\nRUN go build -o /app .\n\nFROM debian AS run\nCOPY --from=build /app /app\nCMD ./app\n');
  });

  async function simJson(argv: string[]): Promise<Array<Record<string, unknown>>> {
    const r = await run(['simulate', ...argv, '--format', 'json'], d);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out);
  }

  function assertShape(c: Record<string, unknown>): void {
    assert.deepEqual(Object.keys(c).sort(),
      ['appReceivesSignal', 'assumptions', 'events', 'fix', 'gracePeriodSeconds', 'platform', 'processes', 'stopSignal', 'target', 'verdict'].sort());
    assert.equal(typeof c.target, 'string');
    assert.equal(typeof c.platform, 'string');
    assert.equal(typeof c.stopSignal, 'string');
    assert.equal(typeof c.gracePeriodSeconds, 'number');
    assert.ok(Array.isArray(c.processes) && c.processes.length > 0);
    (c.processes as Array<Record<string, unknown>>).forEach((p, i) => {
      assert.deepEqual(Object.keys(p).sort(), ['command', 'pid', 'role']);
      assert.equal(p.pid, i + 1);
      assert.equal(typeof p.command, 'string');
      assert.equal(typeof p.role, 'string');
    });
    assert.ok(Array.isArray(c.events) && c.events.length > 0);
    let t = 0;
    for (const e of c.events as Array<Record<string, unknown>>) {
      assert.deepEqual(Object.keys(e).sort(), ['atSeconds', 'process', 'what']);
      assert.equal(typeof e.atSeconds, 'number');
      assert.ok((e.atSeconds as number) >= t, 'events in time order');
      t = e.atSeconds as number;
      assert.equal(typeof e.what, 'string');
    }
    assert.ok(c.appReceivesSignal === null || typeof c.appReceivesSignal === 'boolean');
    assert.ok(['graceful', 'killed', 'cut-short', 'fails-to-start', 'unknown'].includes(c.verdict as string), String(c.verdict));
    assert.ok(Array.isArray(c.assumptions));
  }

  test('FROM debian + CMD ./app: killed after the grace period', async () => {
    const [c, ...rest] = await simJson(['killed/Dockerfile']);
    assert.equal(rest.length, 0);
    assertShape(c);
    assert.equal(c.verdict, 'killed');
    assert.equal(c.appReceivesSignal, false);
    assert.equal(c.stopSignal, 'SIGTERM');
    assert.equal(c.gracePeriodSeconds, 10);
    assert.equal(c.platform, 'docker');
    assert.match(c.target as string, /^killed\/Dockerfile/);
    const events = c.events as Array<{ atSeconds: number; what: string }>;
    assert.ok(events.some((e) => e.atSeconds === 10 && /SIGKILL/.test(e.what)), JSON.stringify(events));
  });

  test('FROM alpine + exec-form CMD: graceful', async () => {
    const [c] = await simJson(['graceful/Dockerfile']);
    assertShape(c);
    assert.equal(c.verdict, 'graceful');
    assert.equal(c.appReceivesSignal, true);
    assert.deepEqual(c.processes, [{ pid: 1, command: './app', role: 'app' }]);
  });

  test('--grace sets the grace period', async () => {
    const [c] = await simJson(['killed/Dockerfile', '--grace', '30']);
    assert.equal(c.gracePeriodSeconds, 30);
    assert.ok((c.events as Array<{ atSeconds: number }>).some((e) => e.atSeconds === 30));
  });

  test('--target picks a stage; an unknown stage → exit 2', async () => {
    const [c] = await simJson(['multi/Dockerfile', '--target', 'run']);
    assertShape(c);
    assert.equal(c.verdict, 'killed');
    const r = await run(['simulate', 'multi/Dockerfile', '--target', 'nope', '--format', 'json'], d);
    assert.equal(r.code, 2);
    assert.match(r.err, /nope/);
    assert.equal(r.out, '');
    const bin = runBin(['simulate', 'multi/Dockerfile', '--target', 'nope'], d);
    assert.equal(bin.code, 2);
    assert.match(bin.err, /nope/);
  });

  test('text format: the timeline and the verdict', async () => {
    const r = await run(['simulate', 'killed/Dockerfile'], d);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /killed\/Dockerfile/);
    assert.match(r.out, /verdict: killed/);
  });

  // [argv, stderr]
  const bad: Array<[string[], RegExp]> = [
    [['simulate'], /exactly one file/],
    [['simulate', 'killed/Dockerfile', 'graceful/Dockerfile'], /exactly one file/],
    [['simulate', 'killed/Dockerfile', '--format', 'sarif'], /--format/],
    [['simulate', 'killed/Dockerfile', '--grace', 'soon'], /--grace/],
    [['simulate', 'killed/Dockerfile', '--target'], /--target needs a value/],
    [['simulate', 'no/Dockerfile'], /cannot read no\/Dockerfile/],
  ];
  for (const [argv, message] of bad) {
    test(`stopcheck ${argv.join(' ')} → exit 2`, async () => {
      const r = await run(argv, d);
      assert.equal(r.code, 2, r.out + r.err);
      assert.match(r.err, message);
    });
  }

  test('the bundled CLI: simulate --format json end to end', () => {
    const r = runBin(['simulate', 'killed/Dockerfile', '--format', 'json'], d);
    assert.equal(r.code, 0, r.err);
    const [c] = JSON.parse(r.out);
    assertShape(c);
    assert.equal(c.verdict, 'killed');
    const g = runBin(['simulate', path.join(d, 'graceful', 'Dockerfile'), '--format', 'json'], d);
    assert.equal(JSON.parse(g.out)[0].verdict, 'graceful');
  });
});

// ---- rules, --version, --help -----------------------------------------------------------------------

describe('rules, --version and --help', () => {
  test('rules lists STOP101..STOP110 with severity and name', async () => {
    const r = await run(['rules'], ws);
    assert.equal(r.code, 0);
    const lines = r.out.trimEnd().split('\n');
    for (let n = 101; n <= 110; n++) {
      const line = lines.find((l) => l.startsWith(`STOP${n} `));
      assert.ok(line, `STOP${n} listed`);
      assert.match(line, /\b(error|warning|info)\b/);
    }
    const bin = runBin(['rules'], ws);
    assert.equal(bin.code, 0);
    assert.equal(bin.out, r.out);
  });

  test('--version prints a version', async () => {
    const r = await run(['--version'], ws);
    assert.equal(r.code, 0);
    assert.match(r.out.trim(), /^\d+\.\d+\.\d+(-[\w.]+)?$/);
    const bin = runBin(['--version'], ws);
    assert.equal(bin.code, 0);
    assert.equal(bin.out.trim(), PKG_VERSION);
    assert.equal(runBin(['-v'], ws).out.trim(), PKG_VERSION);
  });

  test('no command: the usage goes to stderr and the exit status is 2', async () => {
    const r = await run([], ws);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, /stopcheck lint/);
    const bin = runBin([], ws);
    assert.equal(bin.code, 2);
    assert.equal(bin.out, '');
    assert.match(bin.err, /Usage:/);
  });

  test('--help prints the usage and exits 0', async () => {
    const r = await run(['--help'], ws);
    assert.equal(r.code, 0);
    assert.match(r.out, /stopcheck lint/);
    assert.match(r.out, /stopcheck simulate/);
  });
});
