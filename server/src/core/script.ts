// Start scripts run as a container's main process: how they end (exec or not, in every branch),
// what they start in the background, their traps, their interpreter and line endings.
// Parsed with tree-sitter-bash; facts per SEMANTICS.md §1 (no shell execs the last command of a
// script *file*; `exec` in a pipeline replaces only a subshell; background commands start with
// SIGINT/SIGQUIT ignored; an EXIT trap is lost by exec).
import type { Node as TSNode } from 'web-tree-sitter';
import type { Range } from './types';
import { LineIndex } from './text';
import { withShellTree, wordValue } from './shell';
import { TextCache } from './cache';

export interface ScriptWord {
  text: string;
  value?: string;
  range: Range;
}

export type TerminalKind =
  | 'exec' // `exec cmd …`: the script is replaced
  | 'command' // a plain command: the script stays as its parent
  | 'pipeline' // a pipeline (maybe with exec inside: still a subshell)
  | 'background' // `cmd &` as the last thing
  | 'wait' // `wait` for background jobs
  | 'keepalive' // `tail -f /dev/null`, `sleep infinity`, `while true; do sleep …; done`
  | 'nested-shell' // `sh -c …` / `bash -c …` as the last command
  | 'exit' // `exit`: nothing keeps running
  | 'end' // falls off the end (e.g. an if without else)
  | 'compound' // a loop or other compound command
  | 'subshell'; // `( … )`

export interface Terminal {
  kind: TerminalKind;
  /** The command's words (after `exec`, after assignments). */
  words: ScriptWord[];
  range: Range;
  /** The statement's full text, for messages. */
  text: string;
  /** `exec` appears but does not replace the script (pipeline, background, subshell). */
  execNotReplacing?: boolean;
  /** Carries a redirection. */
  hasRedirect?: boolean;
  /** Assignments before the command (`FOO=1 app`). */
  assignments?: string[];
  /** Nested under a function call: the call's range in the script body. */
  viaFunction?: string;
}

export interface TrapInfo {
  signals: string[];
  action: string;
  range: Range;
  /** The action sends a signal with kill. */
  forwards: boolean;
  /** Signal the action sends (canonical SIGxxx). */
  sends?: string;
  /** The action with the bodies of the script's functions it calls inlined (one level). */
  effective: string;
}

export interface BackgroundJob {
  words: ScriptWord[];
  range: Range;
  text: string;
}

export interface ScriptAnalysis {
  shebang?: { interpreter: string; args: string[]; range: Range; raw: string };
  crlf: boolean;
  parsedCleanly: boolean;
  terminals: Terminal[];
  traps: TrapInfo[];
  exitTraps: TrapInfo[];
  background: BackgroundJob[];
  /** A `wait` runs after the first background job (plain `wait` or `wait $pid`). */
  waitsAgain: boolean;
  /** Number of top-level `wait` commands. */
  waits: number;
  /** Daemonising commands (`service x start`, `-d`, `--daemon`). */
  daemons: BackgroundJob[];
  lines: LineIndex;
}

const KEEPALIVE = (w: string[]): boolean =>
  (w[0] === 'sleep' && w.length === 2 && /^(infinity|inf|\d{5,})$/.test(w[1]))
  || (w[0] === 'tail' && w.some((x) => /^-[a-zA-Z]*[fF]/.test(x) || x.startsWith('--follow')))
  || (w[0] === 'cat' && w.length === 1);

function kids(n: TSNode): TSNode[] {
  return n.namedChildren.filter((c): c is TSNode => c !== null && c.type !== 'comment' && c.type !== 'heredoc_body');
}
function allKids(n: TSNode): TSNode[] {
  return n.children.filter((c): c is TSNode => c !== null);
}

interface Ctx {
  lines: LineIndex;
  functions: Map<string, TSNode>;
  depth: number;
}

function wordsOf(cmd: TSNode, ctx: Ctx): { words: ScriptWord[]; assignments: string[]; redirect: boolean } {
  const words: ScriptWord[] = [];
  const assignments: string[] = [];
  let redirect = false;
  for (const c of kids(cmd)) {
    if (c.type === 'variable_assignment') assignments.push(c.text);
    else if (c.type.endsWith('redirect')) redirect = true;
    else words.push({ text: c.text, value: wordValue(c), range: ctx.lines.rangeOf(c.startIndex, c.endIndex) });
  }
  return { words, assignments, redirect };
}

function cmdName(cmd: TSNode): string | undefined {
  const n = cmd.childForFieldName('name');
  return n ? wordValue(n) : undefined;
}

function containsExec(root: TSNode): boolean {
  // Iterative: `a && a && … &` nests thousands deep.
  const stack = [root];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n.type === 'command' && cmdName(n) === 'exec') return true;
    for (const c of kids(n)) stack.push(c);
  }
  return false;
}

/** Per parse: node id → statements followed by `&` (looking them up per statement was quadratic). */
let backgrounded = new Map<number, Set<string>>();

function isBackground(stmt: TSNode, parent: TSNode): boolean {
  let set = backgrounded.get(parent.id);
  if (!set) {
    set = new Set();
    const all = allKids(parent);
    for (let i = 0; i + 1 < all.length; i++) if (all[i + 1].type === '&') set.add(`${all[i].startIndex}:${all[i].endIndex}:${all[i].type}`);
    backgrounded.set(parent.id, set);
  }
  return set.has(`${stmt.startIndex}:${stmt.endIndex}:${stmt.type}`);
}

/** Nesting (if/case/{ }/functions) followed at most; deeper is `compound`. Keeps the stack bounded. */
const MAX_NESTING = 200;
/** Function calls expanded per script at most: calls in branches multiply (5 branches × 8 levels). */
const MAX_FUNCTION_EXPANSIONS = 2000;
let nesting = 0;
let expansions = 0;

function term(kind: TerminalKind, n: TSNode, ctx: Ctx, extra: Partial<Terminal> = {}): Terminal {
  return { kind, words: [], range: ctx.lines.rangeOf(n.startIndex, n.endIndex), text: n.text, ...extra };
}

/** How a statement list ends. `parent` holds the `&` tokens. */
function terminalsOfBlock(stmts: TSNode[], parent: TSNode, ctx: Ctx): Terminal[] {
  const out: Terminal[] = [];
  for (let i = 0; i < stmts.length; i++) {
    const s = stmts[i];
    const last = i === stmts.length - 1;
    if (!last) {
      // Early exits inside branches (`if …; then exec app; fi`) are terminals too.
      if (s.type === 'if_statement' || s.type === 'case_statement') {
        for (const t of terminalsOf(s, parent, ctx)) if (t.kind === 'exec' || t.kind === 'exit') out.push(t);
      } else if (s.type === 'command' && (cmdName(s) === 'exit') && !isBackground(s, parent)) {
        out.push(term('exit', s, ctx));
        return out;
      } else if (s.type === 'command' && cmdName(s) === 'exec' && !isBackground(s, parent) && wordsOf(s, ctx).words.length > 1) {
        out.push(...terminalsOf(s, parent, ctx));
        return out;
      }
      continue;
    }
    out.push(...terminalsOf(s, parent, ctx));
  }
  if (stmts.length === 0) out.push({ kind: 'end', words: [], range: ctx.lines.rangeOf(parent.endIndex, parent.endIndex), text: '' });
  return out;
}

function terminalsOf(s: TSNode, parent: TSNode, ctx: Ctx): Terminal[] {
  if (nesting >= MAX_NESTING) return [term('compound', s, ctx)];
  nesting++;
  try {
    return terminalsOfNode(s, parent, ctx);
  } finally {
    nesting--;
  }
}

function terminalsOfNode(s: TSNode, parent: TSNode, ctx: Ctx): Terminal[] {
  if (isBackground(s, parent)) return [term('background', s, ctx, { execNotReplacing: containsExec(s), words: s.type === 'command' ? wordsOf(s, ctx).words : [] })];
  switch (s.type) {
    case 'command': {
      const { words, assignments, redirect } = wordsOf(s, ctx);
      const name = words[0]?.value;
      if (name === 'exec') {
        let rest = words.slice(1);
        while (rest[0]?.value && /^-[acl]+$/.test(rest[0].value)) {
          if (rest[0].value.includes('a')) rest = rest.slice(1);
          rest = rest.slice(1);
        }
        if (rest.length === 0) return [term('end', s, ctx)]; // `exec >log`: redirection only
        return [term('exec', s, ctx, { words: rest, assignments, hasRedirect: redirect })];
      }
      if (name === 'exit') return [term('exit', s, ctx)];
      if (name === 'wait') return [term('wait', s, ctx, { words })];
      const values = words.map((w) => w.value ?? w.text);
      if (KEEPALIVE(values)) return [term('keepalive', s, ctx, { words })];
      if (name && ['sh', 'bash', 'dash', 'ash', 'zsh'].includes(name.split('/').pop() ?? '') && values.some((v) => /^-[a-z]*c[a-z]*$/.test(v))) {
        return [term('nested-shell', s, ctx, { words, assignments, hasRedirect: redirect })];
      }
      if (name && ctx.functions.has(name) && ctx.depth < 8 && expansions++ < MAX_FUNCTION_EXPANSIONS) {
        const body = ctx.functions.get(name)!;
        const inner = terminalsOfBlock(kids(body), body, { ...ctx, depth: ctx.depth + 1 });
        return inner.map((t) => ({ ...t, viaFunction: name }));
      }
      return [term('command', s, ctx, { words, assignments, hasRedirect: redirect })];
    }
    case 'redirected_statement': {
      const body = s.childForFieldName('body') ?? kids(s)[0];
      if (!body) return [term('end', s, ctx)];
      return terminalsOf(body, s, ctx).map((t) => ({ ...t, hasRedirect: true, range: t.kind === 'command' || t.kind === 'exec' ? ctx.lines.rangeOf(s.startIndex, s.endIndex) : t.range }));
    }
    case 'list': {
      const right = kids(s).pop();
      if (!right) return [term('end', s, ctx)];
      return terminalsOf(right, s, ctx);
    }
    case 'pipeline': {
      const first = kids(s)[0];
      let words: ScriptWord[] = [];
      if (first && first.type === 'command') {
        words = wordsOf(first, ctx).words;
        if (words[0]?.value === 'exec') words = words.slice(1);
      }
      return [term('pipeline', s, ctx, { words, execNotReplacing: containsExec(s) })];
    }
    case 'subshell':
      return [term('subshell', s, ctx, { execNotReplacing: containsExec(s) })];
    case 'compound_statement':
      return terminalsOfBlock(kids(s), s, ctx);
    case 'if_statement': {
      const out: Terminal[] = [];
      const thenStmts: TSNode[] = [];
      let hasElse = false;
      const cond = s.childForFieldName('condition');
      for (const c of kids(s)) {
        if (cond && c.startIndex === cond.startIndex && c.endIndex === cond.endIndex) continue;
        if (c.type === 'elif_clause') {
          const ek = kids(c);
          out.push(...terminalsOfBlock(ek.slice(1), c, ctx));
        } else if (c.type === 'else_clause') {
          hasElse = true;
          out.push(...terminalsOfBlock(kids(c), c, ctx));
        } else thenStmts.push(c);
      }
      out.unshift(...terminalsOfBlock(thenStmts, s, ctx));
      if (!hasElse) out.push(term('end', s, ctx));
      return out;
    }
    case 'case_statement': {
      const out: Terminal[] = [];
      let catchAll = false;
      for (const item of kids(s).filter((c) => c.type === 'case_item')) {
        if (/^\s*\*\s*\)/.test(item.text) || /^\s*\*\s*$/.test(item.childForFieldName('value')?.text ?? '')) catchAll = true;
        const value = item.childForFieldName('value');
        const body = kids(item).filter((c) => !(value && c.startIndex === value.startIndex && c.endIndex === value.endIndex) && c.type !== 'word' && c.type !== 'extglob_pattern' && c.type !== 'concatenation' && c.type !== 'string' && c.type !== 'raw_string');
        out.push(...terminalsOfBlock(body, item, ctx));
      }
      if (!catchAll) out.push(term('end', s, ctx));
      return out;
    }
    case 'while_statement': {
      const body = s.childForFieldName('body');
      const cond = s.childForFieldName('condition');
      const bodyCmds = body ? kids(body) : [];
      const infinite = cond !== null && /^(true|:|\[\s*1\s*\]|\[\s*true\s*\])$/.test(cond.text.replace(/;$/, '').trim());
      const onlySleeps = bodyCmds.length > 0 && bodyCmds.every((c) => c.type === 'command' && ['sleep', ':', 'true', 'wait'].includes(cmdName(c) ?? ''));
      return [term(infinite && onlySleeps ? 'keepalive' : 'compound', s, ctx)];
    }
    case 'function_definition':
    case 'declaration_command':
    case 'variable_assignment':
    case 'variable_assignments':
    case 'test_command':
      return [term('end', s, ctx)];
    default:
      return [term('compound', s, ctx)];
  }
}

function parseKillAction(action: string): { forwards: boolean; sends?: string } {
  const m = /\bkill\b((?:\s+-[-A-Za-z0-9]+|\s+-s\s+[A-Za-z0-9]+)*)/.exec(action);
  if (!m) return { forwards: false };
  const flags = m[1] ?? '';
  const s = /-s\s+(?:SIG)?([A-Za-z]+)|-(?:SIG)?([A-Z]+\b)|-(\d+)\b/i.exec(flags);
  let sends = 'SIGTERM';
  if (s) {
    const name = (s[1] ?? s[2])?.toUpperCase();
    const num = s[3];
    const nums: Record<string, string> = { '1': 'SIGHUP', '2': 'SIGINT', '3': 'SIGQUIT', '9': 'SIGKILL', '10': 'SIGUSR1', '12': 'SIGUSR2', '15': 'SIGTERM' };
    sends = name ? `SIG${name.replace(/^SIG/, '')}` : nums[num ?? ''] ?? `SIG${num}`;
  }
  return { forwards: true, sends };
}

export function analyzeScript(text: string): ScriptAnalysis {
  const lines = new LineIndex(text);
  const crlf = /\r\n/.test(text);
  let shebang: ScriptAnalysis['shebang'];
  const first = lines.lineText(0);
  if (first.startsWith('#!')) {
    const raw = first.slice(2).trim();
    const parts = raw.split(/\s+/);
    let interpreter = parts[0] ?? '';
    let args = parts.slice(1);
    if (interpreter.endsWith('/env') && args.length) {
      const rest = args.filter((a) => !a.startsWith('-'));
      interpreter = rest[0] ?? interpreter;
      args = rest.slice(1);
    }
    shebang = { interpreter, args, raw: first, range: { start: { line: 0, character: 0 }, end: { line: 0, character: first.length } } };
  }
  // tree-sitter-bash handles \r poorly; positions stay the same when \r becomes a space.
  const parseText = crlf ? text.replace(/\r\n/g, ' \n') : text;
  return withShellTree(parseText, (tree) => {
    backgrounded = new Map();
    nesting = 0;
    expansions = 0;
    const root = tree.rootNode;
    const functions = new Map<string, TSNode>();
    const collectFns = (n: TSNode) => {
      for (const c of kids(n)) {
        if (c.type === 'function_definition') {
          const name = c.childForFieldName('name')?.text;
          const body = c.childForFieldName('body');
          if (name && body) functions.set(name, body);
        }
      }
    };
    collectFns(root);
    const ctx: Ctx = { lines, functions, depth: 0 };
    const stmts = kids(root);
    const traps: TrapInfo[] = [];
    const exitTraps: TrapInfo[] = [];
    const background: BackgroundJob[] = [];
    const daemons: BackgroundJob[] = [];
    let waits = 0;
    let waitsAgain = false;
    let seenBackground = false;
    const visit = (list: TSNode[], parent: TSNode, depth: number) => {
      for (const s of list) {
        const cmd = s.type === 'redirected_statement' ? (s.childForFieldName('body') ?? s) : s;
        if (isBackground(s, parent)) {
          const inner = cmd.type === 'command' ? cmd : kids(cmd).find((c) => c.type === 'command');
          const words = inner ? wordsOf(inner, ctx).words : [];
          background.push({ words, range: lines.rangeOf(s.startIndex, s.endIndex), text: s.text });
          seenBackground = true;
          continue;
        }
        if (cmd.type === 'command') {
          // Most statements are none of these: their words (values, ranges) are not worth working out.
          const name = cmdName(cmd);
          if (name !== 'trap' && name !== 'wait' && name !== 'service' && !cmd.text.includes('--daemon')) continue;
          const { words } = wordsOf(cmd, ctx);
          if (name === 'trap' && words.length >= 3 && (words[1].value ?? words[1].text) !== '-') {
            const action = words[1].value ?? words[1].text;
            const signals = words.slice(2).map((w) => (w.value ?? w.text).toUpperCase().replace(/^SIG/, ''));
            // `trap on_term TERM`: what the handler does is in the function's body.
            const called = action.split(/[\s;&|()]+/).filter((w) => functions.has(w));
            const effective = [action, ...called.map((f) => functions.get(f)!.text)].join('\n');
            const info: TrapInfo = { signals, action, effective, range: lines.rangeOf(cmd.startIndex, cmd.endIndex), ...parseKillAction(effective) };
            if (signals.includes('EXIT') || signals.includes('0')) exitTraps.push(info);
            if (signals.some((x) => x !== 'EXIT' && x !== '0')) traps.push(info);
          } else if (name === 'wait') {
            if (seenBackground) waits++;
            // The first wait returns as soon as a trapped signal arrives; only a second wait
            // (after the trap forwarded it) waits for the app's cleanup.
            waitsAgain = waitsAgain || waits >= 2;
          } else if (name && (name === 'service' && words[2]?.value === 'start' || words.some((w) => w.value === '--daemon' || w.value === '--daemonize'))) {
            daemons.push({ words, range: lines.rangeOf(cmd.startIndex, cmd.endIndex), text: cmd.text });
          }
        } else if (cmd.type === 'list') {
          // `a && b || c` nests to the left, thousands deep: flatten it without recursing.
          const parts: TSNode[] = [];
          const todo = [cmd];
          for (let n = todo.pop(); n; n = todo.pop()) {
            if (n.type === 'list') todo.push(...kids(n).reverse());
            else parts.push(n);
          }
          visit(parts, cmd, depth);
        } else if (depth < 4 && (cmd.type === 'if_statement' || cmd.type === 'compound_statement')) {
          visit(kids(cmd), cmd, depth + 1);
        }
      }
    };
    visit(stmts, root, 0);
    for (const t of traps) if (/\bwait\b/.test(t.effective)) waitsAgain = true;
    const terminals = terminalsOfBlock(stmts, root, ctx);
    backgrounded = new Map();
    return {
      shebang, crlf, parsedCleanly: !root.hasError, terminals, traps, exitTraps, background, waitsAgain, waits, daemons, lines,
    };
  });
}

/** Start scripts analysed once per text: many Dockerfiles (and every edit of one) run the same scripts. */
const scriptAnalyses = new TextCache<ScriptAnalysis>('script', 4000, 8 * 1024 * 1024);

/**
 * analyzeScript, cached by the script's text. The result is shared: read it, never change it.
 * `where` (the file, and the line of a heredoc) lets a newer text of the same script replace the older.
 */
export function analyzeScriptCached(text: string, where?: string): ScriptAnalysis {
  return scriptAnalyses.through(text, () => analyzeScript(text), where);
}
