// Dockerfile → stages with their effective SHELL, ENTRYPOINT, CMD, STOPSIGNAL and base image, and the
// launch chain of every stage that can be run. Parsing is dockerfile-ast's; this file only reads it.
import { DockerfileParser, type JSONArgument, type Instruction, type JSONInstruction, type Dockerfile, type From } from 'dockerfile-ast';
import type { FileAccess, Location, Range } from './types';
import { LineIndex } from './text';
import { classifyImage, type ImageInfo, type ShellFamily, familyOfShellPath } from './images';
import { parseSignal } from './signals';
import { evaluate, interpret, type InterpretContext, type LaunchChain, type ScriptHop, type ScriptResolver, type StopPolicy, type Word } from './chain';
import { resolveImagePath } from './context';
import * as path from 'path';

export interface ExecCommand {
  form: 'exec' | 'shell';
  instruction: Instruction;
  /** exec form: the JSON strings; shell form: the whole argument text as one word. */
  words: Word[];
  /** shell form: the text given to the shell. */
  shellText?: string;
  range: Range;
  stage: Stage;
}

export interface Stage {
  index: number;
  name?: string;
  from: From;
  /** Image reference after ARG substitution, or the stage alias it builds on. */
  baseRef: string;
  parent?: Stage;
  shell?: { argv: string[]; instruction: Instruction };
  entrypoint?: ExecCommand;
  cmd?: ExecCommand;
  /** CMD set in this stage (not inherited). */
  cmdSetHere: boolean;
  stopSignal?: { raw: string; instruction: Instruction; range: Range };
  instructions: Instruction[];
}

export interface DockerfileModel {
  file: string;
  text: string;
  ast: Dockerfile;
  stages: Stage[];
  lines: LineIndex;
}

export function parseDockerfile(file: string, text: string): DockerfileModel {
  const ast = DockerfileParser.parse(text);
  const lines = new LineIndex(text);
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string>();
  for (const arg of ast.getInitialARGs()) {
    const p = arg.getProperty();
    if (p && p.getValue() !== null) globalArgs.set(p.getName(), p.getValue() ?? '');
  }
  let current: Stage | undefined;
  for (const ins of ast.getInstructions()) {
    const kw = ins.getKeyword();
    if (kw === 'FROM') {
      const from = ins as From;
      const raw = from.getImage() ?? '';
      const baseRef = substitute(raw, globalArgs);
      const name = from.getBuildStage() ?? undefined;
      const parent = stages.find((s) => s.name !== undefined && s.name.toLowerCase() === baseRef.toLowerCase())
        ?? (/^\d+$/.test(baseRef) ? stages[Number(baseRef)] : undefined);
      current = { index: stages.length, name, from, baseRef, parent, cmdSetHere: false, instructions: [] };
      if (parent) {
        current.shell = parent.shell;
        current.entrypoint = parent.entrypoint;
        current.cmd = parent.cmd;
        current.stopSignal = parent.stopSignal;
      }
      stages.push(current);
      continue;
    }
    if (!current) continue;
    current.instructions.push(ins);
    switch (kw) {
      case 'SHELL': {
        const strings = (ins as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue());
        if (strings.length > 0) current.shell = { argv: strings, instruction: ins };
        break;
      }
      case 'ENTRYPOINT': {
        current.entrypoint = execCommand(file, lines, ins, current);
        // Docker: ENTRYPOINT resets a CMD inherited from the parent image/stage.
        if (!current.cmdSetHere) current.cmd = undefined;
        break;
      }
      case 'CMD':
        current.cmd = execCommand(file, lines, ins, current);
        current.cmdSetHere = true;
        break;
      case 'STOPSIGNAL': {
        const r = ins.getArgumentsRange();
        const rawArgs = ins.getArgumentsContent();
        if (r && rawArgs !== null) current.stopSignal = { raw: rawArgs.trim(), instruction: ins, range: r };
        break;
      }
      default:
        break;
    }
  }
  return { file, text, ast, stages, lines };
}

/** dockerfile-ast drops whitespace from JSON strings; decode the quoted source text instead. */
function jsonValue(lines: LineIndex, s: JSONArgument): string {
  const raw = lines.slice(s.getRange());
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'string') return v;
  } catch {
    // fall through
  }
  return s.getJSONValue();
}

function substitute(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, a: string | undefined, op: string | undefined, word: string | undefined, b: string | undefined) => {
      const name = (a ?? b) as string;
      const v = vars.get(name);
      const set = v !== undefined && (v !== '' || !op?.startsWith(':'));
      if (op === undefined) return v ?? m;
      if (op.endsWith('-')) return set ? (v as string) : (word ?? '');
      return set ? (word ?? '') : '';
    });
}

function isJsonForm(ins: Instruction): boolean {
  const jsonStrings = (ins as JSONInstruction).getJSONStrings?.();
  if (!jsonStrings) return false;
  const content = ins.getArgumentsContent()?.trim() ?? '';
  // dockerfile-ast gives JSON strings only for a valid JSON array.
  return content.startsWith('[') && content.endsWith(']') && (jsonStrings.length > 0 || /^\[\s*\]$/.test(content));
}

function execCommand(file: string, lines: LineIndex, ins: Instruction, stage: Stage): ExecCommand {
  const argsRange = ins.getArgumentsRange() ?? ins.getRange();
  if (isJsonForm(ins)) {
    const words: Word[] = (ins as JSONInstruction).getJSONStrings().map((s) => ({
      value: jsonValue(lines, s), literal: true, origin: { file, range: s.getJSONRange() },
    }));
    return { form: 'exec', instruction: ins, words, range: argsRange, stage };
  }
  const text = ins.getArgumentsContent() ?? '';
  return { form: 'shell', instruction: ins, words: [{ value: text, literal: true, origin: { file, range: argsRange } }], shellText: text, range: argsRange, stage };
}

export function resolveImage(stage: Stage): ImageInfo {
  let s: Stage = stage;
  const seen = new Set<Stage>();
  while (s.parent && !seen.has(s)) {
    seen.add(s);
    s = s.parent;
  }
  return classifyImage(s.baseRef);
}

export function stageLabel(stage: Stage): string {
  return stage.name ?? `stage ${stage.index}`;
}

/** Stages a user can run: the last one, and every stage that sets its own CMD or ENTRYPOINT. */
export function runnableStages(model: DockerfileModel): Stage[] {
  const last = model.stages[model.stages.length - 1];
  return model.stages.filter((s) => s === last || s.instructions.some((i) => ['CMD', 'ENTRYPOINT'].includes(i.getKeyword())));
}

export interface ChainOptions {
  gracePeriodSeconds: number;
  /** Reads files of the build context; without it scripts are not followed. */
  files?: FileAccess;
  /** Build context folder; defaults to the Dockerfile's folder. */
  contextDir?: string;
}

export interface DockerChain extends LaunchChain {
  stage: Stage;
  /** The shell used for shell form. */
  shellArgv: string[];
  shellFromInstruction: boolean;
  /** Start scripts the chain passes through. */
  scripts: ScriptHop[];
  failsToStartAt?: Location;
  /** Why it cannot start: the image has no shell, or a start script is broken. */
  failsToStartKind?: 'no-shell' | 'script';
  fileProblems: Array<{ message: string; at?: Location }>;
}

/** Docker's combination of SHELL, ENTRYPOINT and CMD into the argv of PID 1. */
export function effectiveCommand(stage: Stage): { words: Word[]; shellFormFirst: boolean } {
  const shell = stage.shell?.argv ?? ['/bin/sh', '-c'];
  const shellWords = (origin?: Location): Word[] => shell.map((v) => ({ value: v, literal: true, origin, implicitShell: true }));
  const ep = stage.entrypoint;
  const cmd = stage.cmd;
  if (ep) {
    if (ep.form === 'shell') return { words: [...shellWords(ep.words[0].origin), ep.words[0]], shellFormFirst: true };
    const cmdWords = cmd ? (cmd.form === 'shell' ? [...shellWords(cmd.words[0].origin), cmd.words[0]] : cmd.words) : [];
    return { words: [...ep.words, ...cmdWords], shellFormFirst: false };
  }
  if (cmd) {
    if (cmd.form === 'shell') return { words: [...shellWords(cmd.words[0].origin), cmd.words[0]], shellFormFirst: true };
    return { words: cmd.words, shellFormFirst: false };
  }
  return { words: [], shellFormFirst: false };
}

export function buildDockerChain(model: DockerfileModel, stage: Stage, opts: ChainOptions): DockerChain {
  const image = resolveImage(stage);
  const shellArgv = stage.shell?.argv ?? ['/bin/sh', '-c'];
  const shellFamily: ShellFamily = stage.shell ? familyOfShellPath(shellArgv[0], image.family) : image.family;
  const assumptions: string[] = [];
  if (!image.known) assumptions.push(image.reason);
  const { words, shellFormFirst } = effectiveCommand(stage);
  const processes: LaunchChain['processes'] = [];
  let failsToStart: string | undefined;
  if (shellFormFirst && shellFamily === 'none' && !stage.shell) {
    failsToStart = `${image.ref} has no /bin/sh, so the shell-form command cannot start`;
  }
  const hops: ScriptHop[] = [];
  let failsToStartAt: Location | undefined;
  const fileProblems: Array<{ message: string; at?: Location }> = [];
  if (!failsToStart && words.length > 0) {
    const files = opts.files;
    const contextDir = opts.contextDir ?? path.dirname(model.file);
    const memo = new Map();
    const resolveScript: ScriptResolver | undefined = files ? (imagePath) => {
      const r = resolveImagePath(model, stage, imagePath, contextDir, files, memo);
      if (!r) return undefined;
      if (r.kind === 'outside') return { error: `COPY ${r.source} points outside the build context: Docker refuses it, and stopcheck does not follow it`, copy: r.copy };
      if (r.kind === 'missing') {
        assumptions.push(`${r.source} (COPY on line ${r.copy.range.start.line + 1}) is not in the build context, so ${imagePath} is not analysed`);
        return undefined;
      }
      if (r.kind === 'inline') return { file: r.file, text: r.text, lineOffset: r.lineOffset, copy: r.copy };
      return { file: r.file, text: r.text, lineOffset: 0, copy: r.copy };
    } : undefined;
    const ctx: InterpretContext = { imageFamily: shellFamily, image, assumptions, depth: 0, resolveScript, hops, fileProblems };
    // SHELL-form: mark the implicit shell.
    interpret(words, ctx, processes, shellFormFirst ? 'shell-form' : 'exec-form');
    if (shellFormFirst && processes[0]?.role === 'shell') processes[0].via = 'shell-form';
    const first = processes[0];
    if (first && first.role === 'shell' && first.kind === 'shell' && image.family === 'none' && !stage.shell && !shellFormFirst) {
      failsToStart = `${image.ref} has no shell, so \`${first.argv[0]}\` cannot start`;
    }
    if (!failsToStart && ctx.failsToStart) {
      failsToStart = ctx.failsToStart.message;
      failsToStartAt = ctx.failsToStart.at;
    }
  }
  if (words.length === 0) {
    assumptions.push('no CMD or ENTRYPOINT is set in this file; the base image\'s command runs');
  } else if (!stage.entrypoint && image.known === false) {
    assumptions.push('the base image sets no ENTRYPOINT of its own (an unknown image might)');
  }

  const policy = stopPolicy(model, stage, image, opts);
  const outcome = evaluate(processes, policy, failsToStart);
  const last = processes[processes.length - 1];
  if (last && last.role === 'app' && last.handler === 'unknown' && outcome.appReceivesSignal === true && processes.indexOf(last) === 0) {
    assumptions.push(`${last.label} handles ${policy.signal} itself (as PID 1, a program without a handler ignores it)`);
  }
  return {
    file: model.file, target: stageLabel(stage), image, shellFamily, processes, policy, outcome, assumptions, failsToStart,
    stage, shellArgv, shellFromInstruction: !!stage.shell, scripts: hops, failsToStartAt, fileProblems,
    failsToStartKind: failsToStart ? (failsToStartAt ? 'script' : 'no-shell') : undefined,
  };
}

function stopPolicy(model: DockerfileModel, stage: Stage, image: ImageInfo, opts: ChainOptions): StopPolicy {
  const policy: StopPolicy = { platform: 'docker', signal: 'SIGTERM', gracePeriodSeconds: opts.gracePeriodSeconds };
  if (stage.stopSignal) {
    const p = parseSignal(stage.stopSignal.raw);
    if (p.ok) {
      policy.signal = p.name;
      policy.signalOrigin = { file: model.file, range: stage.stopSignal.range };
    }
  } else if (image.stopSignal) {
    policy.signal = image.stopSignal;
    policy.signalFromImage = true;
  }
  return policy;
}
