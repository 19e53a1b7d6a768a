// Fix builders shared by the rules. A fix is a list of text edits computed from the parsed documents
// (never a regex over the whole file); applying it removes the finding, keeps the file parseable, and
// applying it twice changes nothing (the rule no longer fires, so it is not offered again).
import type { Fix, Finding, Position, Range, TextEdit } from './types';
import type { ChainProcess } from './chain';
import type { LineIndex } from './text';
import type { Stage, DockerfileModel } from './dockerfile';
import type { ImageInfo } from './images';
import { ownKeysAt } from './yamlModel';

export type TextOf = (file: string) => LineIndex | undefined;

function at(file: string, p: Position, newText: string): TextEdit {
  return { file, range: { start: p, end: p }, newText };
}

/** Position of `offset` inside a string value whose source text spans `range` (plain or quoted, one line). */
export function valueOffsetToPosition(lines: LineIndex, range: Range, value: string, offset: number): Position | undefined {
  if (range.start.line !== range.end.line) return undefined;
  const raw = lines.slice(range);
  let shift: number;
  if (raw === value) shift = 0;
  else if (raw.length === value.length + 2 && /^["']/.test(raw) && raw.slice(1, -1) === value) shift = 1;
  else return undefined;
  return { line: range.start.line, character: range.start.character + shift + offset };
}

/** Insert `exec ` before the final command of a shell string (`sh -c STRING`, shell-form CMD). */
export function insertExecInCommandString(p: ChainProcess, textOf: TextOf, title: string): Fix | undefined {
  const facts = p.facts;
  const origin = p.stringOrigin ?? p.origin;
  if (!facts || !facts.final || !origin || facts.explicitExec) return undefined;
  if (!['simple', 'sequence', 'and-list', 'or-list', 'redirect'].includes(facts.shape) || facts.traps.length || facts.noExecForm) return undefined;
  if (facts.shape === 'or-list') return undefined; // `a || exec b` changes nothing when a succeeds: fine, but keep fixes obvious
  const word = facts.final.words[0];
  if (!word || word.value === undefined) return undefined;
  const lines = textOf(origin.file);
  if (!lines) return undefined;
  const value = p.argv[p.argv.length - 1];
  const pos = valueOffsetToPosition(lines, origin.range, value, word.start);
  if (!pos) return undefined;
  return { title, edits: [at(origin.file, pos, 'exec ')], preferred: true };
}

const SHELL_META = /[$`\\*?[\]~;&|<>(){}#'"\n!]/;

/** `CMD node server.js` → `CMD ["node", "server.js"]`, only when no shell feature is used. */
export function toExecForm(model: DockerfileModel, stageCmd: { instruction: import('dockerfile-ast').Instruction; shellText?: string; range: Range } | undefined): Fix | undefined {
  if (!stageCmd || stageCmd.shellText === undefined) return undefined;
  const r = stageCmd.range;
  if (r.start.line !== r.end.line) return undefined;
  const text = stageCmd.shellText.trim();
  if (text === '' || SHELL_META.test(text)) return undefined;
  const words = text.split(/\s+/);
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]) || words[0] === 'exec') return undefined;
  const json = '[' + words.map((w) => JSON.stringify(w)).join(', ') + ']';
  return { title: `Convert to exec form: ${json}`, edits: [{ file: model.file, range: r, newText: json }], preferred: true };
}

function lineStart(line: number): Position {
  return { line, character: 0 };
}

/** Add tini as PID 1: install it and put it in front (new exec-form ENTRYPOINT, or prepended to one). */
export function addTini(model: DockerfileModel, stage: Stage, image: ImageInfo, anchorLine: number): Fix | undefined {
  const ep = stage.entrypoint;
  if (ep && ep.form !== 'exec') return undefined;
  if (ep && ep.stage !== stage) return undefined; // inherited ENTRYPOINT: edit the stage that sets it
  let install: string | undefined;
  let tiniPath: string;
  if (image.packageManager === 'apt') {
    install = 'RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*';
    tiniPath = '/usr/bin/tini';
  } else if (image.packageManager === 'apk') {
    install = 'RUN apk add --no-cache tini';
    tiniPath = '/sbin/tini';
  } else return undefined;
  const edits: TextEdit[] = [];
  const insertLine = ep ? ep.instruction.getRange().start.line : anchorLine;
  const newLines = [install];
  if (!ep) newLines.push(`ENTRYPOINT ["${tiniPath}", "--"]`);
  edits.push(at(model.file, lineStart(insertLine), newLines.join('\n') + '\n'));
  if (ep) {
    const first = ep.words[0]?.origin?.range;
    if (!first) return undefined;
    // Before the first JSON string (including its opening quote).
    edits.push(at(model.file, { line: first.start.line, character: first.start.character - 1 }, `"${tiniPath}", "--", `));
  }
  return { title: `Add tini as PID 1 (${image.packageManager === 'apt' ? 'apt-get install tini' : 'apk add tini'})`, edits, preferred: true };
}

/** Set or replace STOPSIGNAL in the stage. */
export function setStopSignal(model: DockerfileModel, stage: Stage, signal: string, anchorLine: number): Fix {
  const own = stage.stopSignal && stage.instructions.includes(stage.stopSignal.instruction) ? stage.stopSignal : undefined;
  if (own) return { title: `Set STOPSIGNAL ${signal}`, edits: [{ file: model.file, range: own.range, newText: signal }], preferred: true };
  return { title: `Add STOPSIGNAL ${signal}`, edits: [at(model.file, lineStart(anchorLine), `STOPSIGNAL ${signal}\n`)], preferred: true };
}

/** Insert `exec ` before a script command (after assignments such as `FOO=1`). */
export function insertExecAt(file: string, pos: Position): TextEdit {
  return at(file, pos, 'exec ');
}

const DIRECTIVE = /^#\s*(syntax|escape|check)\s*=/i;

/**
 * "Ignore this finding on this line": `# stopcheck ignore=ID` above the finding, indented like it.
 * Never above a Dockerfile's parser directives or a script's #! line (then `ignore-file=ID` after them).
 */
export function suppressFix(f: Finding, lines: LineIndex | undefined): Fix | undefined {
  if (!lines) return undefined;
  const line = f.range.start.line;
  const text = lines.lineText(line);
  const indent = /^[ \t]*/.exec(text)?.[0] ?? '';
  const eol = /\r\n/.test(lines.text) ? '\r\n' : '\n';
  const first = lines.lineText(0);
  const protectedTop = first.startsWith('#!') || DIRECTIVE.test(first);
  if (protectedTop) {
    let last = 0;
    while (last + 1 < lines.lineCount && (lines.lineText(last + 1).startsWith('#!') || DIRECTIVE.test(lines.lineText(last + 1)))) last++;
    if (line <= last) {
      return { title: `Ignore ${f.rule} in this file`, edits: [at(f.file, lineStart(last + 1), `# stopcheck ignore-file=${f.rule}${eol}`)] };
    }
  }
  // Continuation lines of a multi-line instruction cannot carry a comment above them: use the first line.
  return { title: `Ignore ${f.rule} on this line`, edits: [at(f.file, lineStart(line), `${indent}# stopcheck ignore=${f.rule}${eol}`)] };
}

/** Apply non-overlapping edits to a text (later edits first). */
export function applyEdits(text: string, lines: LineIndex, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => lines.offsetAt(b.range.start) - lines.offsetAt(a.range.start) || lines.offsetAt(b.range.end) - lines.offsetAt(a.range.end));
  let out = text;
  let lastStart = Infinity;
  for (const e of sorted) {
    const s = lines.offsetAt(e.range.start);
    const en = lines.offsetAt(e.range.end);
    if (en > lastStart) continue; // overlapping: skip the later one
    out = out.slice(0, s) + e.newText + out.slice(en);
    lastStart = s;
  }
  return out;
}

/**
 * Set `key: value` in the mapping whose first key starts at `mapStart`. When the mapping already has
 * the key (`init: false`, a grace period that is not a number …), its value is replaced — a second
 * `key:` would be a duplicate key, which YAML parsers reject. Otherwise the key is inserted as the
 * first entry of the block mapping (same indentation, comments and the rest of the file untouched);
 * undefined for a flow mapping. A key merged in with `<<` is not the mapping's own: the inserted key
 * overrides it for this mapping only.
 */
export function insertYamlKey(file: string, lines: LineIndex, mapStart: Position, key: string, value: string): TextEdit | undefined {
  const own = ownKeysAt(lines, mapStart)?.find((k) => k.name === key);
  if (own) return { file, range: own.value, newText: `: ${own.anchor ? `&${own.anchor} ` : ''}${value}` };
  const lineText = lines.lineText(mapStart.line);
  const before = lineText.slice(0, mapStart.character);
  if (lineText[mapStart.character] === '{') return undefined;
  const eol = /\r\n/.test(lines.text) ? '\r\n' : '\n';
  if (/^[ \t]*$/.test(before)) {
    return { file, range: { start: { line: mapStart.line, character: 0 }, end: { line: mapStart.line, character: 0 } }, newText: `${before}${key}: ${value}${eol}` };
  }
  // `- name: x` (a mapping inside a sequence item): put the new key on the next line, aligned.
  if (/^[ \t]*-[ \t]+$/.test(before)) {
    const indent = ' '.repeat(mapStart.character);
    const end = { line: mapStart.line, character: lineText.length };
    return { file, range: { start: end, end }, newText: `${eol}${indent}${key}: ${value}` };
  }
  return undefined;
}

/** Replace a scalar value's text. */
export function replaceValue(file: string, range: Range, newText: string): TextEdit {
  return { file, range, newText };
}
