// The "add preStop" fix: a `lifecycle.preStop` hook inserted into a Kubernetes container, rendered by
// the `yaml` package in the file's own indentation and style, and the grace period raised when the
// hook would leave the app too little of it.
import { Document, isMap, isSeq, type Node as YNode } from 'yaml';
import type { Fix, Position, TextEdit } from './types';
import type { LineIndex } from './text';
import type { KubeContainer, KubePod } from './yamlModel';
import { insertYamlKey, replaceValue } from './fixes';

/** Seconds the hook sleeps: long enough for endpoint removal to reach every node's proxy. */
export const PRESTOP_SECONDS = 5;
/** Below this many seconds left for the app after the hook, the fix raises the grace period. */
export const MIN_APP_BUDGET = 10;

/** The file's indentation step (2 unless the file consistently uses another). */
export function indentStep(lines: LineIndex): number {
  const counts = new Map<number, number>();
  let prev = -1;
  for (let i = 0; i < Math.min(lines.lineCount, 400); i++) {
    const t = lines.lineText(i);
    if (!t.trim() || /^\s*#/.test(t)) continue;
    const ind = /^ */.exec(t)![0].length;
    if (prev >= 0 && ind > prev) counts.set(ind - prev, (counts.get(ind - prev) ?? 0) + 1);
    prev = ind + (/^\s*- /.test(t) ? 2 : 0);
  }
  let best = 2;
  let n = 0;
  for (const [step, c] of counts) if (step >= 2 && step <= 8 && c > n) [best, n] = [step, c];
  return best;
}

/** `key:` and its block value as lines, rendered by the yaml package (sequences in flow style). */
function render(key: string, value: unknown, indent: number): string[] {
  const doc = new Document({ [key]: value });
  const flowSeqs = (n: unknown): void => {
    if (isSeq(n)) (n as YNode & { flow?: boolean }).flow = true;
    if (isMap(n)) for (const p of n.items) flowSeqs(p.value);
  };
  flowSeqs(doc.contents);
  return doc.toString({ indent, indentSeq: true }).replace(/\n+$/, '').split('\n');
}

function flowText(key: string, value: unknown): string {
  const doc = new Document({ [key]: value });
  const mark = (n: unknown): void => {
    if (isSeq(n) || isMap(n)) (n as YNode & { flow?: boolean }).flow = true;
    if (isMap(n)) for (const p of n.items) mark(p.value);
  };
  mark((doc.contents as { items: Array<{ value: unknown }> }).items[0].value);
  return doc.toString().trim();
}

/** Insert a rendered `key: value` block as the first entry of the block mapping starting at `at`. */
function insertBlock(file: string, lines: LineIndex, at: Position, rendered: string[]): TextEdit | undefined {
  const lineText = lines.lineText(at.line);
  const before = lineText.slice(0, at.character);
  const eol = /\r\n/.test(lines.text) ? '\r\n' : '\n';
  const pad = ' '.repeat(at.character);
  if (/^[ \t]*$/.test(before)) {
    return { file, range: { start: { line: at.line, character: 0 }, end: { line: at.line, character: 0 } }, newText: rendered.map((l) => pad + l).join(eol) + eol };
  }
  if (/^[ \t]*-[ \t]+$/.test(before)) {
    const end = { line: at.line, character: lineText.length };
    return { file, range: { start: end, end }, newText: rendered.map((l) => eol + pad + l).join('') };
  }
  return undefined;
}

/**
 * The preStop hook as a fix, or undefined when it cannot be written safely: `action` is the kubelet's
 * sleep action (Kubernetes 1.30+), or `exec` running the image's `sleep`.
 */
export function addPreStopFix(file: string, lines: LineIndex, container: KubeContainer, pod: KubePod | undefined,
  action: 'sleep' | 'exec', seconds = PRESTOP_SECONDS): Fix | undefined {
  const hook = action === 'sleep' ? { sleep: { seconds } } : { exec: { command: ['sleep', String(seconds)] } };
  const step = indentStep(lines);
  const edits: TextEdit[] = [];
  if (container.lifecycle) {
    const lc = container.lifecycle;
    if (lc.flow) {
      // `lifecycle: {postStart: …}` → `lifecycle: {preStop: {…}, postStart: …}`
      const open = lc.range.start;
      const empty = lines.lineText(open.line).slice(open.character).startsWith('{}');
      const at = { line: open.line, character: open.character + 1 };
      edits.push({ file, range: { start: at, end: at }, newText: flowText('preStop', hook) + (empty ? '' : ', ') });
    } else {
      const e = insertBlock(file, lines, lc.range.start, render('preStop', hook, step));
      if (!e) return undefined;
      edits.push(e);
    }
  } else {
    const start = container.range.start;
    if (lines.lineText(start.line)[start.character] === '{') {
      const at = { line: start.line, character: start.character + 1 };
      edits.push({ file, range: { start: at, end: at }, newText: `${flowText('lifecycle', { preStop: hook })}, ` });
    } else {
      const e = insertBlock(file, lines, start, render('lifecycle', { preStop: hook }, step));
      if (!e) return undefined;
      edits.push(e);
    }
  }
  const G = pod?.grace?.value ?? 30;
  let raised = '';
  if (pod && G - seconds < MIN_APP_BUDGET) {
    const want = String(G + seconds);
    // A grace period merged in with `<<` is overridden in this pod spec; the shared anchor stays.
    const e = pod.grace && !pod.grace.merged ? replaceValue(file, pod.grace.range, want) : insertYamlKey(file, lines, pod.specRange.start, 'terminationGracePeriodSeconds', want);
    if (!e) return undefined;
    edits.push(e);
    raised = ` and raise terminationGracePeriodSeconds to ${want}`;
  }
  const what = action === 'sleep' ? `preStop: sleep ${seconds} s` : `preStop: exec sleep ${seconds}`;
  return { title: `Add ${what}${raised}`, edits, preferred: true };
}
