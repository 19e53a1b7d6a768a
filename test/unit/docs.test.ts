// Every rule has a documentation page in docs/rules, listed in docs/rules/README.md, and every page
// belongs to a rule that exists (ids are forever: a retired rule keeps no stale page here).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { ALL_RULES } from '../../server/src/core/rules/index';

// Compiled to out/test/unit: the repository root is three levels up.
const ROOT = path.resolve(__dirname, '..', '..', '..');
const DOCS = path.join(ROOT, 'docs', 'rules');

function read(file: string): string {
  return fs.readFileSync(path.join(DOCS, file), 'utf8');
}

function headings(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => /^##\s/.test(l)).map((l) => l.replace(/^##\s+/, '').trim());
}

test('docs/rules exists and has a README', () => {
  assert.ok(fs.existsSync(DOCS), `missing ${DOCS}`);
  assert.ok(fs.existsSync(path.join(DOCS, 'README.md')), 'missing docs/rules/README.md');
});

for (const rule of ALL_RULES) {
  test(`${rule.id} has a documentation page`, () => {
    const file = `${rule.id}.md`;
    assert.ok(fs.existsSync(path.join(DOCS, file)), `missing docs/rules/${file}`);
    const text = read(file);
    const first = text.split(/\r?\n/, 1)[0];
    assert.ok(first.startsWith(`# ${rule.id}`), `first line of ${file} should start with "# ${rule.id}", got "${first}"`);
    const hs = headings(text);
    for (const section of ['Problematic code', 'Correct code']) {
      assert.ok(hs.some((h) => h.startsWith(section)), `${file} has no "## ${section}" section (has: ${hs.join(', ')})`);
    }
  });

  test(`${rule.id} is listed in docs/rules/README.md`, () => {
    const readme = read('README.md');
    assert.ok(readme.includes(rule.id), `docs/rules/README.md does not mention ${rule.id}`);
    assert.ok(readme.includes(`(${rule.id}.md)`), `docs/rules/README.md does not link ${rule.id}.md`);
  });
}

test('every page in docs/rules belongs to a known rule', () => {
  const known = new Set(ALL_RULES.map((r) => r.id));
  const pages = fs.readdirSync(DOCS).filter((f) => f.endsWith('.md') && f !== 'README.md');
  const stale = pages.filter((f) => !known.has(f.replace(/\.md$/, '')));
  assert.deepEqual(stale, [], `pages without a rule: ${stale.join(', ')}`);
});

test('README.md lists only known rules', () => {
  const known = new Set(ALL_RULES.map((r) => r.id));
  const listed = new Set(read('README.md').match(/\bSTOP\d{3}\b/g) ?? []);
  const unknown = [...listed].filter((id) => !known.has(id));
  assert.deepEqual(unknown, [], `README.md mentions unknown rules: ${unknown.join(', ')}`);
});
