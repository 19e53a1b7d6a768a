// `npm test`: builds, runs the unit and protocol suites (node:test) and the end-to-end suites, and
// ends with one "N passed, N failed" line for the whole run.
import { run } from 'node:test';
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2); // optional: suites to run (unit, lsp, e2e)
const want = (s) => only.length === 0 || only.includes(s);

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`\n${cmd} ${args.join(' ')} failed`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

step(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
step(process.execPath, [join(root, 'scripts', 'build.mjs')]);

function testFiles(dir) {
  const abs = join(root, 'out', 'test', dir);
  if (!existsSync(abs)) return [];
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.test.js')) out.push(join(d, e.name));
    }
  };
  walk(abs);
  return out.sort();
}

let passed = 0;
let failed = 0;
const failures = [];

async function runNodeSuite(name, files) {
  if (files.length === 0) return;
  console.log(`\n${name}: ${files.length} file(s)`);
  await new Promise((resolve) => {
    const stream = run({ files, concurrency: name === 'unit' ? 2 : 1, timeout: 120_000 });
    stream.on('test:pass', (d) => {
      if (d.details?.type === 'suite' || d.skip || d.todo) return;
      passed++;
      process.stdout.write(`  ok    ${d.name}\n`);
    });
    stream.on('test:fail', (d) => {
      if (d.details?.type === 'suite') return;
      failed++;
      const err = d.details?.error;
      const msg = err?.cause?.stack ?? err?.cause?.message ?? err?.stack ?? err?.message ?? String(err);
      failures.push({ name: d.name, file: d.file ? relative(root, d.file) : '', msg });
      process.stdout.write(`  FAIL  ${d.name}\n`);
    });
    stream.on('test:stderr', (d) => process.stderr.write(d.message ?? ''));
    stream.on('end', resolve);
    stream.on('close', resolve);
    // Drain the reporter stream.
    stream.on('data', () => {});
  });
}

if (want('unit')) await runNodeSuite('unit', testFiles('unit'));
if (want('lsp')) await runNodeSuite('lsp', testFiles('lsp'));
if (want('e2e') && existsSync(join(root, 'test', 'e2e', 'run.mjs'))) {
  console.log('\ne2e:');
  const r = spawnSync(process.execPath, [join(root, 'test', 'e2e', 'run.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const out = r.stdout ?? '';
  const m = /E2E RESULT: (\d+) ok, (\d+) not ok/.exec(out);
  process.stdout.write(out.replace(/^E2E RESULT:.*$/m, ''));
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    if (Number(m[2]) > 0) failures.push({ name: 'e2e', file: 'test/e2e', msg: 'see the e2e output above' });
  } else {
    failed++;
    failures.push({ name: 'e2e harness', file: 'test/e2e/run.mjs', msg: `exited ${r.status} without a result line` });
  }
}

if (failures.length) {
  console.log('\nFailures:');
  for (const f of failures) console.log(`\n● ${f.name} (${f.file})\n${String(f.msg).split('\n').slice(0, 25).map((l) => '  ' + l).join('\n')}`);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
