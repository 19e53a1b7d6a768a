// `stopcheck lint --fix` and `--fix --dry-run` on a real folder.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import './helpers';
import { main } from '../../server/src/cli/main';

function tree(files: Record<string, string>): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'stopcheck-fix-'));
  for (const [k, v] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, k)), { recursive: true });
    fs.writeFileSync(path.join(d, k), v);
  }
  return d;
}
async function cli(args: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, cwd, (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const FILES = {
  'api/Dockerfile': 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n',
  'api/start.sh': '#!/bin/sh\nset -e\n./migrate\n./server\n',
  'web/Dockerfile': 'FROM node:20\nCMD node server.js\n',
  'compose.yaml': 'services:\n  w:\n    image: debian:12\n    command: ["sleep", "infinity"]\n',
};

test('--fix --dry-run prints a unified diff, writes nothing, and exits by the findings that remain', async () => {
  const d = tree(FILES);
  const r = await cli(['lint', '.', '--fix', '--dry-run'], d);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^--- a\/api\/start\.sh$/m);
  assert.match(r.out, /^-\.\/server$/m);
  assert.match(r.out, /^\+exec \.\/server$/m);
  assert.match(r.out, /^\+CMD \["node", "server\.js"\]$/m);
  for (const [k, v] of Object.entries(FILES)) assert.equal(fs.readFileSync(path.join(d, k), 'utf8'), v, k);
});

test('--fix rewrites the files (scripts too), keeps modes, and a second run finds nothing to fix', async () => {
  const d = tree(FILES);
  fs.chmodSync(path.join(d, 'api/start.sh'), 0o755);
  const r = await cli(['lint', '.', '--fix', '--format', 'json'], d);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), []);
  assert.equal(fs.readFileSync(path.join(d, 'api/start.sh'), 'utf8'), '#!/bin/sh\nset -e\n./migrate\nexec ./server\n');
  assert.equal(fs.readFileSync(path.join(d, 'web/Dockerfile'), 'utf8'), 'FROM node:20\nCMD ["node", "server.js"]\n');
  assert.match(fs.readFileSync(path.join(d, 'compose.yaml'), 'utf8'), /init: true/);
  assert.equal(fs.statSync(path.join(d, 'api/start.sh')).mode & 0o777, 0o755);
  assert.deepEqual(fs.readdirSync(path.join(d, 'api')).sort(), ['Dockerfile', 'start.sh'], 'no temporary files left');
  const again = await cli(['lint', '.', '--fix', '--dry-run'], d);
  assert.equal(again.out, '');
});

test('--dry-run without --fix is a usage error', async () => {
  const r = await cli(['lint', '.', '--dry-run'], tree({}));
  assert.equal(r.code, 2);
});
