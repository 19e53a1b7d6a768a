// Shell command strings (`sh -c STRING`, shell-form CMD) parsed with tree-sitter-bash, reduced to the
// facts the launch chain needs: which command the string ends in, and whether the shell replaces
// itself with it (exec) for a given /bin/sh family. The exec table is measured: SEMANTICS.md §1.
import * as path from 'path';
import * as fs from 'fs';
import type { Node as TSNode, Parser as TSParser, Tree } from 'web-tree-sitter';
import type { ShellFamily } from './images';
import { TextCache } from './cache';
import { GrammarNotLoaded, registerGrammar } from './grammar';

let parser: TSParser | undefined;
let initPromise: Promise<void> | undefined;

function findFile(candidates: string[]): string {
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error(`stopcheck: cannot find ${path.basename(candidates[0])} (looked in ${candidates.map((c) => path.dirname(c)).join(', ')})`);
}

/** Loads the shell grammar once. Every entry point awaits this before analysing. */
export function initShellParser(): Promise<void> {
  if (!initPromise) {
    initPromise = (async () => {
      // In the bundle the wasm files sit beside the script; from sources they are in node_modules.
      const here = __dirname;
      const runtimeWasm = findFile([path.join(here, 'tree-sitter.wasm'), path.join(here, 'wasm', 'tree-sitter.wasm'),
        safeResolve('web-tree-sitter/tree-sitter.wasm')]);
      const bashWasm = findFile([path.join(here, 'tree-sitter-bash.wasm'), path.join(here, 'wasm', 'tree-sitter-bash.wasm'),
        safeResolve('tree-sitter-bash/tree-sitter-bash.wasm')]);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const TS = require('web-tree-sitter') as typeof import('web-tree-sitter');
      await TS.Parser.init({ locateFile: () => runtimeWasm } as unknown as EmscriptenModuleLike);
      const lang = await TS.Language.load(fs.readFileSync(bashWasm));
      const p = new TS.Parser();
      p.setLanguage(lang);
      parser = p;
    })();
  }
  return initPromise;
}
type EmscriptenModuleLike = Record<string, unknown>;
registerGrammar('bash', initShellParser);

/** node_modules/<rel>, searched upwards from this file (sources and tests run from out/). */
export function safeResolve(rel: string): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const c = path.join(dir, 'node_modules', rel);
    if (fs.existsSync(c)) return c;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.join('node_modules', rel);
}

export function shellParserReady(): boolean {
  return parser !== undefined;
}

/** Longest one parse may take. tree-sitter-bash's error recovery is quadratic on long runs of some
 * characters (16,000 NUL bytes or `)` take seconds, 80,000 take minutes): past this, give up. */
export const SHELL_PARSE_BUDGET_MS = 2000;

/** Parse and hand the tree to `fn`; the tree is freed afterwards (it lives in wasm memory). */
export function withShellTree<T>(text: string, fn: (tree: Tree) => T): T {
  if (!parser) throw new GrammarNotLoaded('bash');
  const deadline = Date.now() + SHELL_PARSE_BUDGET_MS;
  // A run of NUL bytes is quadratic inside the lexer, where the budget is never checked; shells
  // ignore NUL bytes anyway. Same length, so offsets are unchanged.
  const input = text.includes('\0') ? text.replace(/\0/g, ' ') : text;
  let tree = parser.parse(input, null, { progressCallback: () => Date.now() > deadline });
  if (!tree) {
    // Parse cancelled: analyse the text as if it were empty (nothing known) instead of blocking.
    parser.reset();
    tree = parser.parse('');
  }
  if (!tree) throw new Error('stopcheck: shell parser returned no tree');
  try {
    return fn(tree);
  } finally {
    tree.delete();
  }
}

export interface ShellWord {
  /** Source text of the word. */
  text: string;
  /** Literal value after quote removal, undefined when it depends on expansions. */
  value?: string;
  start: number;
  end: number;
}

export interface SimpleCommand {
  /** Words after assignments: name and arguments. */
  words: ShellWord[];
  assignments: string[];
  hasRedirect: boolean;
  start: number;
  end: number;
  text: string;
}

export type FinalShape =
  | 'simple' // the string is one simple command
  | 'sequence' // last command of `a; b` or of several lines
  | 'and-list' // last command of `a && b`
  | 'or-list' // last command of `a || b`
  | 'redirect' // last command carries a redirection
  | 'pipeline' // last statement is a pipeline
  | 'background' // last statement is run with `&`
  | 'compound' // if/while/for/case/{ }/( )/function/!
  | 'empty';

export interface CommandStringFacts {
  parsedCleanly: boolean;
  shape: FinalShape;
  /** The simple command the string ends in, when it is one. */
  final?: SimpleCommand;
  /** `exec cmd …` as the final command (words of `final` start after `exec`). */
  explicitExec: boolean;
  /** `exec` used inside a pipeline, subshell or background: it does not replace the shell. */
  execInSubshell: boolean;
  /** Signals named in a top-level `trap` command. */
  traps: string[];
  /** More than one top-level statement. */
  statements: number;
  /** The string ends with a newline (busybox ash then does not exec: measured). */
  trailingNewline: boolean;
  /** The last statement is `! cmd`, `eval …` or `time …`: no shell execs these. */
  noExecForm?: string;
}

export type ExecVerdict = 'exec' | 'stays' | 'unknown';

export interface ExecDecision {
  verdict: ExecVerdict;
  /** Plain words: why. */
  why: string;
}

function nodeChildren(n: TSNode): TSNode[] {
  return n.children.filter((c): c is TSNode => c !== null);
}
function named(n: TSNode): TSNode[] {
  return n.namedChildren.filter((c): c is TSNode => c !== null && c.type !== 'comment');
}

export function wordValue(n: TSNode): string | undefined {
  switch (n.type) {
    case 'word':
    case 'number':
      return n.text.replace(/\\(.)/gs, (_m, c: string) => (c === '\n' ? '' : c));
    case 'raw_string':
      return n.text.slice(1, -1);
    case 'string': {
      if (named(n).some((c) => c.type !== 'string_content')) return undefined;
      return n.text.slice(1, -1).replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
    }
    case 'concatenation': {
      let out = '';
      for (const c of named(n)) {
        const v = wordValue(c);
        if (v === undefined) return undefined;
        out += v;
      }
      return out;
    }
    case 'command_name': {
      const c = named(n)[0];
      return c ? wordValue(c) : undefined;
    }
    default:
      return undefined;
  }
}

function toSimple(cmd: TSNode, hasRedirect: boolean): SimpleCommand {
  const words: ShellWord[] = [];
  const assignments: string[] = [];
  let redirect = hasRedirect;
  for (const c of named(cmd)) {
    if (c.type === 'variable_assignment') assignments.push(c.text);
    else if (c.type.endsWith('redirect')) redirect = true;
    else words.push({ text: c.text, value: wordValue(c), start: c.startIndex, end: c.endIndex });
  }
  return { words, assignments, hasRedirect: redirect, start: cmd.startIndex, end: cmd.endIndex, text: cmd.text };
}

function containsExec(root: TSNode): boolean {
  // Iterative: `a && a && … &` nests thousands deep.
  const stack = [root];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n.type === 'command') {
      const name = n.childForFieldName('name');
      if (name && wordValue(name) === 'exec') return true;
    }
    for (const c of named(n)) stack.push(c);
  }
  return false;
}

/** Reduce a command string to its final command and shape. */
export function commandStringFacts(text: string): CommandStringFacts {
  return commandFacts.through(text, () => {
    const facts = withShellTree(text, (tree) => factsOfProgram(tree.rootNode));
    facts.trailingNewline = /\n$/.test(text);
    return facts;
  });
}

/** Shell-form CMDs and `sh -c` strings, once per text (every container of an image has the same). Read-only. */
const commandFacts = new TextCache<CommandStringFacts>('command-string', 4000, 1024 * 1024);

export function factsOfProgram(root: TSNode): CommandStringFacts {
  const facts: CommandStringFacts = {
    parsedCleanly: !root.hasError, shape: 'empty', explicitExec: false, execInSubshell: false, traps: [], statements: 0, trailingNewline: false,
  };
  const all = nodeChildren(root);
  const stmts = named(root);
  facts.statements = stmts.length;
  for (const s of stmts) {
    if (s.type === 'command' && wordValue(s.childForFieldName('name') ?? s) === 'trap') {
      const args = named(s).slice(1).map((a) => wordValue(a) ?? a.text);
      facts.traps.push(...args.slice(1).map((a) => a.toUpperCase().replace(/^SIG/, '')));
    }
  }
  if (stmts.length === 0) return facts;
  const last = stmts[stmts.length - 1];
  // A trailing `&` is an anonymous sibling after the statement.
  const idx = all.findIndex((c) => c.startIndex === last.startIndex && c.endIndex === last.endIndex && c.type === last.type);
  const after = all[idx + 1];
  if (after && after.type === '&') {
    facts.shape = 'background';
    facts.execInSubshell = containsExec(last);
    return facts;
  }
  // `app & wait`: the shell waits for a background job — it stays, and the job is the app.
  if (last.type === 'command' && wordValue(last.childForFieldName('name') ?? last) === 'wait') {
    for (let i = stmts.length - 2; i >= 0; i--) {
      const s = stmts[i];
      const j = all.findIndex((c) => c.startIndex === s.startIndex && c.endIndex === s.endIndex && c.type === s.type);
      if (all[j + 1]?.type === '&' && s.type === 'command') {
        facts.shape = 'background';
        facts.final = toSimple(s, false);
        return facts;
      }
    }
  }
  const multi = stmts.length > 1;
  classify(last, facts, multi ? 'sequence' : 'simple');
  return facts;
}

function classify(n: TSNode, facts: CommandStringFacts, base: FinalShape): void {
  switch (n.type) {
    case 'command': {
      const sc = toSimple(n, false);
      if (sc.words[0]?.value === 'exec') {
        if (sc.words.length === 1) {
          // `exec >log`: only redirections, no process replaced; nothing runs last.
          facts.shape = base;
          facts.final = undefined;
          return;
        }
        facts.explicitExec = true;
        sc.words = sc.words.slice(1);
        // exec flags: -a name, -c, -l
        while (sc.words[0]?.value && /^-[acl]+$/.test(sc.words[0].value)) {
          const flag = sc.words.shift()!;
          if (flag.value!.includes('a')) sc.words.shift();
        }
      }
      facts.final = sc;
      facts.shape = sc.hasRedirect && !facts.explicitExec ? 'redirect' : base;
      if (!facts.explicitExec && (sc.words[0]?.value === 'eval' || sc.words[0]?.value === 'time')) facts.noExecForm = sc.words[0].value;
      return;
    }
    case 'redirected_statement': {
      const body = n.childForFieldName('body') ?? named(n)[0];
      if (body && body.type === 'command') {
        classify(body, facts, base);
        if (facts.final) facts.final.hasRedirect = true;
        if (!facts.explicitExec) facts.shape = 'redirect';
        return;
      }
      if (body) {
        classify(body, facts, base);
        if (facts.final) facts.final.hasRedirect = true;
        if (!facts.explicitExec && facts.shape !== 'pipeline' && facts.shape !== 'compound') facts.shape = 'redirect';
      }
      return;
    }
    case 'list': {
      const parts = nodeChildren(n);
      const op = parts.filter((p) => p.type === '&&' || p.type === '||').pop()?.type;
      const right = named(n).pop();
      if (!right) return;
      classify(right, facts, op === '||' ? 'or-list' : 'and-list');
      if (facts.shape === 'simple' || facts.shape === 'sequence') facts.shape = op === '||' ? 'or-list' : 'and-list';
      return;
    }
    case 'pipeline': {
      facts.shape = 'pipeline';
      facts.execInSubshell = containsExec(n);
      const cmds = named(n);
      const first = cmds[0];
      if (first && first.type === 'command') {
        const sc = toSimple(first, false);
        if (sc.words[0]?.value === 'exec') sc.words = sc.words.slice(1);
        facts.final = sc;
      }
      return;
    }
    case 'subshell':
      facts.shape = 'compound';
      facts.execInSubshell = containsExec(n);
      return;
    case 'negated_command':
      facts.shape = 'compound';
      facts.noExecForm = '!';
      return;
    default:
      facts.shape = 'compound';
      return;
  }
}

/**
 * Whether a shell of `family`, run as `sh -c STRING`, replaces itself with the string's final command.
 * Measured on dash 0.5.12, busybox 1.35 ash and bash 5.2 (SEMANTICS.md §1).
 */
export function decideExec(facts: CommandStringFacts, family: ShellFamily, oldBash = false): ExecDecision {
  if (facts.shape === 'empty') return { verdict: 'unknown', why: 'the command is empty' };
  if (facts.shape === 'pipeline') {
    return { verdict: 'stays', why: facts.execInSubshell ? '`exec` inside a pipeline replaces only a subshell; the shell stays' : 'no shell execs a pipeline' };
  }
  if (facts.shape === 'background') return { verdict: 'stays', why: 'the last command runs in the background, so the shell stays' };
  if (facts.explicitExec) return { verdict: 'exec', why: 'the command is started with `exec`' };
  if (facts.traps.length > 0) return { verdict: 'stays', why: 'the string sets a trap, and no shell execs its last command then' };
  if (facts.noExecForm) return { verdict: 'stays', why: `no shell execs a command run through \`${facts.noExecForm}\`` };
  if (facts.shape === 'compound') {
    if (family === 'busybox') return { verdict: 'unknown', why: 'busybox ash may exec the last command inside if/{ }/( ); stopcheck does not follow it there' };
    return { verdict: 'stays', why: 'the command ends in a compound command (if/while/subshell/group), which the shell does not exec' };
  }
  if (!facts.final) return { verdict: 'stays', why: 'the string ends without a command to exec' };
  if (family === 'busybox' && facts.trailingNewline) return { verdict: 'stays', why: 'busybox ash does not exec the last command when the string ends with a newline' };
  const t = EXEC_TABLE[facts.shape]?.[family as 'dash' | 'busybox' | 'bash'];
  if (family === 'bash' && oldBash && facts.shape !== 'simple') {
    return { verdict: 'unknown', why: 'bash older than 5.2 was not measured for this form' };
  }
  if (family === 'unknown' || family === 'none' || t === undefined) {
    return { verdict: 'unknown', why: `it depends on the image's /bin/sh (dash keeps the shell; busybox and bash exec ${SHAPE_WORDS[facts.shape]})` };
  }
  return t ? { verdict: 'exec', why: `${FAMILY_NAME[family]} execs ${SHAPE_WORDS[facts.shape]}` }
    : { verdict: 'stays', why: `${FAMILY_NAME[family]} does not exec ${SHAPE_WORDS[facts.shape]}` };
}

const FAMILY_NAME: Record<string, string> = { dash: 'dash', busybox: 'busybox ash', bash: 'bash' };
const SHAPE_WORDS: Record<FinalShape, string> = {
  simple: 'a lone command', sequence: 'the last command of a `;` sequence', 'and-list': 'the last command of an `&&` list',
  'or-list': 'the last command of an `||` list', redirect: 'a last command that has a redirection', pipeline: 'a pipeline',
  background: 'a background command', compound: 'a compound command', empty: 'an empty command',
};

// true = the shell execs the final command; false = the shell stays as its parent. Measured with
// Debian's dash 0.5.12 (Debian disables the -c exec optimisation), busybox 1.35 ash and bash 5.2.15:
// docs/measurements.md.
const EXEC_TABLE: Partial<Record<FinalShape, Record<'dash' | 'busybox' | 'bash', boolean>>> = {
  simple: { dash: false, busybox: true, bash: true },
  'and-list': { dash: false, busybox: true, bash: true },
  'or-list': { dash: false, busybox: true, bash: true },
  sequence: { dash: false, busybox: true, bash: true },
  redirect: { dash: false, busybox: true, bash: false },
};
