// Output formats of `stopcheck lint`: text for people, JSON for scripts, SARIF 2.1.0 for code scanning.
import * as crypto from 'crypto';
import * as path from 'path';
import type { Finding, RuleMeta } from '../core/types';
import { docsUrl } from '../core/types';
import { ALL_RULES } from '../core/rules/index';

declare const STOPCHECK_VERSION: string;
export const VERSION: string = typeof STOPCHECK_VERSION === 'string' ? STOPCHECK_VERSION : '0.0.0-dev';

export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return (rel === '' ? path.basename(file) : rel).split(path.sep).join('/');
}

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  rule: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  related: Array<{ file: string; line: number; message: string }>;
}

export function toJson(findings: Finding[], cwd: string): JsonFinding[] {
  const out = findings.map((f) => ({
    file: displayPath(f.file, cwd),
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    related: f.related.map((r) => ({ file: displayPath(r.file, cwd), line: r.range.start.line + 1, message: r.message })),
  }));
  out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return out;
}

export function formatText(findings: Finding[], cwd: string, color: boolean): string {
  const c = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const json = toJson(findings, cwd);
  let lastFile = '';
  for (const f of json) {
    if (f.file !== lastFile) {
      if (lastFile) lines.push('');
      lines.push(c('4', f.file));
      lastFile = f.file;
    }
    const sev = f.severity === 'error' ? c('31', 'error  ') : f.severity === 'warning' ? c('33', 'warning') : c('36', 'info   ');
    lines.push(`  ${`${f.line}:${f.column}`.padEnd(7)} ${sev} ${c('2', f.rule)}  ${f.message}`);
    for (const r of f.related) lines.push(`  ${''.padEnd(7)}         ${c('2', `↳ ${r.file}:${r.line}: ${r.message}`)}`);
  }
  const n = (s: string) => json.filter((f) => f.severity === s).length;
  if (json.length) lines.push('');
  lines.push(json.length === 0 ? 'No problems found.'
    : `${json.length} problem${json.length === 1 ? '' : 's'} (${n('error')} error${n('error') === 1 ? '' : 's'}, ${n('warning')} warning${n('warning') === 1 ? '' : 's'}, ${n('info')} info)`);
  return lines.join('\n');
}

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export function toSarif(findings: Finding[], cwd: string, lineTextOf: (f: Finding) => string): object {
  const rules: RuleMeta[] = ALL_RULES;
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = toJson(findings, cwd).map((j, i) => {
    const f = findings.find((x) => x.rule === j.rule && displayPath(x.file, cwd) === j.file && x.range.start.line + 1 === j.line && x.range.start.character + 1 === j.column && x.message === j.message) ?? findings[i];
    const hash = crypto.createHash('sha256').update(`${j.rule}\0${j.file}\0${lineTextOf(f).trim()}`).digest('hex').slice(0, 32);
    return {
      ruleId: j.rule,
      ruleIndex: index.get(j.rule) ?? -1,
      level: LEVEL[j.severity],
      message: { text: j.message },
      locations: [{
        physicalLocation: {
          artifactLocation: { uri: fileUri(j.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: j.line, startColumn: j.column, endLine: j.endLine, endColumn: j.endColumn },
        },
      }],
      relatedLocations: j.related.map((r, k) => ({
        id: k,
        message: { text: r.message },
        physicalLocation: { artifactLocation: { uri: fileUri(r.file), uriBaseId: '%SRCROOT%' }, region: { startLine: r.line } },
      })),
      partialFingerprints: { 'stopcheckFinding/v1': hash },
    };
  }).map((r) => (r.ruleIndex < 0 ? { ...r, ruleIndex: undefined } : r));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'stopcheck',
          version: VERSION,
          semanticVersion: VERSION,
          informationUri: 'https://github.com/stopcheck/stopcheck',
          rules: rules.map((r) => ({
            id: r.id,
            name: r.name,
            shortDescription: { text: r.summary },
            fullDescription: { text: r.summary },
            helpUri: docsUrl(r.id),
            help: { text: `${r.summary} See ${docsUrl(r.id)}`, markdown: `${r.summary} [Details](${docsUrl(r.id)})` },
            defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
            properties: { tags: ['container', 'signals', r.family], precision: 'high' },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileUri(cwd) + '/' } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
}

function pathToFileUri(p: string): string {
  const abs = path.resolve(p).split(path.sep).join('/');
  return 'file://' + (abs.startsWith('/') ? '' : '/') + fileUri(abs);
}

/** A path as a URI reference: encodeURI leaves `?` and `#`, which would start a query or a fragment. */
function fileUri(p: string): string {
  return encodeURI(p).replace(/[?#]/g, (c) => encodeURIComponent(c));
}
