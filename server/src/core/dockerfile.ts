// Dockerfile → stages with their effective SHELL, ENTRYPOINT, CMD, STOPSIGNAL and base image, and the
// launch chain of every stage that can be run. Parsing is dockerfile-ast's; this file only reads it.
import { DockerfileParser, type JSONArgument, type Instruction, type JSONInstruction, type Dockerfile, type From } from 'dockerfile-ast';
import './astMemo';
import type { FileAccess, Location, Range } from './types';
import { LineIndex } from './text';
import { classifyImage, isShellName, type ImageInfo, type ShellFamily, familyOfShellPath } from './images';
import { parseSignal } from './signals';
import { appFactsFor } from './appFacts';
import { evaluate, interpret, type AppFacts, type InterpretContext, type LaunchChain, type ScriptHop, type ScriptResolver, type StopPolicy, type Word } from './chain';
import { resolveImagePath, type StageFiles } from './context';
import { TextCache } from './cache';
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

/** Parsed once per (file, text): a Compose file or manifest whose containers share an image asks for the same Dockerfile many times. Read-only. */
const parsedDockerfiles = new TextCache<DockerfileModel>('dockerfile', 1000, 4 * 1024 * 1024);

export function parseDockerfile(file: string, text: string): DockerfileModel {
  return parsedDockerfiles.through(`${file}\0${text}`, () => parseDockerfileText(file, text), file);
}

function parseDockerfileText(file: string, text: string): DockerfileModel {
  const ast = DockerfileParser.parse(text);
  const lines = new LineIndex(text);
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string>();
  for (const arg of ast.getInitialARGs()) {
    const p = arg.getProperty();
    if (p && p.getValue() !== null) globalArgs.set(p.getName(), p.getValue() ?? '');
  }
  let current: Stage | undefined;
  /** Lower-cased stage name → first stage of that name (a search per FROM was quadratic). */
  const byName = new Map<string, Stage>();
  for (const ins of ast.getInstructions()) {
    const kw = ins.getKeyword();
    if (kw === 'FROM') {
      const from = ins as From;
      const raw = from.getImage() ?? '';
      const baseRef = substitute(raw, globalArgs);
      const name = from.getBuildStage() ?? undefined;
      const parent = byName.get(baseRef.toLowerCase()) ?? (/^\d+$/.test(baseRef) ? stages[Number(baseRef)] : undefined);
      current = { index: stages.length, name, from, baseRef, parent, cmdSetHere: false, instructions: [] };
      if (parent) {
        current.shell = parent.shell;
        current.entrypoint = parent.entrypoint;
        current.cmd = parent.cmd;
        current.stopSignal = parent.stopSignal;
      }
      stages.push(current);
      if (name !== undefined && !byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), current);
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

/** Stage → the first stage of its FROM chain (walking it per stage was quadratic in thousands of stages). */
const rootStage = new WeakMap<Stage, Stage>();

export function resolveImage(stage: Stage): ImageInfo {
  let s: Stage = stage;
  const seen = new Set<Stage>();
  while (s.parent && !seen.has(s)) {
    seen.add(s);
    const known = rootStage.get(s);
    if (known) {
      s = known;
      break;
    }
    s = s.parent;
  }
  rootStage.set(stage, s);
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

/** What any platform's chain carries beyond the generic model. */
export interface ChainExtras {
  /** Start scripts the chain passes through. */
  scripts: ScriptHop[];
  failsToStartAt?: Location;
  /** Why it cannot start: the image has no shell, or a start script is broken. */
  failsToStartKind?: 'no-shell' | 'script';
  /** The shell named as the program (`["sh", "-c", …]`) on an image without one. */
  missingShell?: string;
  fileProblems: Array<{ message: string; at?: Location }>;
  /** The shell used for shell form, and whether a SHELL instruction set it. */
  shellArgv: string[];
  shellFromInstruction: boolean;
}

export interface DockerChain extends LaunchChain, ChainExtras {
  stage: Stage;
}

export interface CommandPart {
  form: 'exec' | 'shell';
  words: Word[];
}

/** Docker's combination of SHELL, ENTRYPOINT and CMD into the argv of PID 1. */
export function combineCommand(ep: CommandPart | undefined, cmd: CommandPart | undefined, shell: string[]): { words: Word[]; shellFormFirst: boolean } {
  const shellWords = (origin?: Location): Word[] => shell.map((v) => ({ value: v, literal: true, origin, implicitShell: true }));
  if (ep) {
    if (ep.form === 'shell') return { words: [...shellWords(ep.words[0]?.origin), ...ep.words.slice(0, 1)], shellFormFirst: true };
    const cmdWords = cmd ? (cmd.form === 'shell' ? [...shellWords(cmd.words[0]?.origin), ...cmd.words.slice(0, 1)] : cmd.words) : [];
    return { words: [...ep.words, ...cmdWords], shellFormFirst: false };
  }
  if (cmd) {
    if (cmd.form === 'shell') return { words: [...shellWords(cmd.words[0]?.origin), ...cmd.words.slice(0, 1)], shellFormFirst: true };
    return { words: cmd.words, shellFormFirst: false };
  }
  return { words: [], shellFormFirst: false };
}

export function effectiveCommand(stage: Stage): { words: Word[]; shellFormFirst: boolean } {
  return combineCommand(stage.entrypoint, stage.cmd, stage.shell?.argv ?? ['/bin/sh', '-c']);
}

const stageFilesMemo = new WeakMap<DockerfileModel, Map<Stage, StageFiles>>();

/** The per-model memo of stageFiles(), shared by every resolver of the model's stages. */
export function stageFilesMemoOf(model: DockerfileModel): Map<Stage, StageFiles> {
  let memo = stageFilesMemo.get(model);
  if (!memo) stageFilesMemo.set(model, (memo = new Map()));
  return memo;
}

/** A resolver for image paths of `stage`, reading its build context. */
export function scriptResolver(model: DockerfileModel, stage: Stage, files: FileAccess | undefined, contextDir: string | undefined,
  assumptions: string[]): ScriptResolver | undefined {
  if (!files) return undefined;
  const ctxDir = contextDir ?? path.dirname(model.file);
  // Shared by every stage's resolver: a fresh one per chain made thousands of stages quadratic.
  const memo = stageFilesMemoOf(model);
  return (imagePath) => {
    const r = resolveImagePath(model, stage, imagePath, ctxDir, files, memo);
    if (!r) return undefined;
    if (r.kind === 'outside') return { error: `${r.keyword} ${r.source} points outside the build context: the classic builder refuses it, and BuildKit looks for it at the context root instead — either way ${imagePath} is not this file; stopcheck does not follow it`, copy: r.copy };
    if (r.kind === 'ignored') {
      assumptions.push(`${r.path} (COPY on line ${r.copy.range.start.line + 1}) is excluded by ${path.basename(r.ignoreFile)}, so it is not in the image at ${imagePath} and is not analysed`);
      return undefined;
    }
    if (r.kind === 'missing') {
      assumptions.push(`${r.source} (COPY on line ${r.copy.range.start.line + 1}) is not in the build context, so ${imagePath} is not analysed`);
      return undefined;
    }
    if (r.kind === 'inline') return { file: r.file, text: r.text, lineOffset: r.lineOffset, copy: r.copy };
    return { file: r.file, text: r.text, lineOffset: 0, copy: r.copy };
  };
}

export interface ChainInput {
  file: string;
  target: string;
  image: ImageInfo;
  shellArgv: string[];
  shellFromInstruction: boolean;
  words: Word[];
  shellFormFirst: boolean;
  policy: StopPolicy;
  resolveScript?: ScriptResolver;
  assumptions: string[];
  /** An init the platform puts in front (compose `init: true`, `docker run --init`). */
  platformInit?: { label: string; origin?: Location };
  /** Said when there is no command at all. */
  noCommandNote?: string;
  /** Whether the ENTRYPOINT is known (set in a Dockerfile we read, or overridden). */
  entrypointKnown: boolean;
  /** Reads the app's code in the build context (what it does with the stop signal). */
  appFacts?: AppFacts;
}

/** The launch chain for any platform: interpret the argv, then walk the stop signal down it. */
export function buildChain(input: ChainInput): LaunchChain & ChainExtras {
  const { image, words, shellFormFirst, assumptions } = input;
  const shellFamily: ShellFamily = input.shellFromInstruction ? familyOfShellPath(input.shellArgv[0], image.family) : image.family;
  if (!image.known && !assumptions.includes(image.reason)) assumptions.push(image.reason);
  const processes: LaunchChain['processes'] = [];
  let failsToStart: string | undefined;
  let failsToStartAt: Location | undefined;
  let noShell: string | undefined;
  if (shellFormFirst && shellFamily === 'none' && !input.shellFromInstruction) {
    failsToStart = `${image.ref} has no /bin/sh, so the shell-form command cannot start`;
  }
  const hops: ScriptHop[] = [];
  const fileProblems: Array<{ message: string; at?: Location }> = [];
  if (!failsToStart && words.length > 0) {
    const ctx: InterpretContext = {
      imageFamily: shellFamily, image, assumptions, depth: 0, resolveScript: input.resolveScript, hops, fileProblems, startFailures: [],
      stopSignal: input.policy.signal, appFacts: input.appFacts,
    };
    if (input.platformInit) {
      processes.push({
        role: 'init', kind: 'tini', argv: ['docker-init', '--'], label: input.platformInit.label, origin: input.platformInit.origin, group: false,
        notes: ['the platform\'s init (tini): forwards the stop signal to its child and exits when that child exits'],
      });
    }
    const before = processes.length;
    interpret(words, ctx, processes, shellFormFirst ? 'shell-form' : 'exec-form');
    // A shell named as the program (`["sh", "-c", …]`) cannot start on an image without one, even
    // when it would exec the app straight away (then no shell process is left in the chain).
    const named = processes[before] ? words[0] : undefined;
    if (named?.literal && isShellName(named.value) && image.family === 'none' && !input.shellFromInstruction && !shellFormFirst) {
      failsToStart = `${image.ref} has no shell, so \`${named.value}\` cannot start`;
      failsToStartAt = named.origin;
      noShell = named.value;
    }
    const startFailure = ctx.startFailures?.[0];
    if (!failsToStart && startFailure) {
      failsToStart = startFailure.message;
      failsToStartAt = startFailure.at;
    }
  }
  if (words.length === 0) {
    assumptions.push(input.noCommandNote ?? 'no command is set here; the image\'s own command runs');
  } else if (!input.entrypointKnown && image.known === false) {
    assumptions.push('the base image sets no ENTRYPOINT of its own (an unknown image might)');
  }
  const outcome = evaluate(processes, input.policy, failsToStart);
  const last = processes[processes.length - 1];
  if (last && last.role === 'app' && last.handler === 'unknown' && !last.signalHandling?.[input.policy.signal]?.exitsAtOnce
    && outcome.appReceivesSignal === true && processes.indexOf(last) === 0) {
    assumptions.push(`${last.label} handles ${input.policy.signal} itself (as PID 1, a program without a handler ignores it)`);
  }
  return {
    file: input.file, target: input.target, image, shellFamily, processes, policy: input.policy, outcome, assumptions, failsToStart,
    shellArgv: input.shellArgv, shellFromInstruction: input.shellFromInstruction, scripts: hops, failsToStartAt, fileProblems,
    failsToStartKind: failsToStart ? (failsToStartAt && !noShell ? 'script' : 'no-shell') : undefined, missingShell: noShell,
  };
}

export function buildDockerChain(model: DockerfileModel, stage: Stage, opts: ChainOptions): DockerChain {
  const image = resolveImage(stage);
  const assumptions: string[] = [];
  const { words, shellFormFirst } = effectiveCommand(stage);
  const chain = buildChain({
    file: model.file, target: stageLabel(stage), image, shellArgv: stage.shell?.argv ?? ['/bin/sh', '-c'], shellFromInstruction: !!stage.shell,
    words, shellFormFirst, policy: stopPolicy(model, stage, image, opts),
    resolveScript: scriptResolver(model, stage, opts.files, opts.contextDir, assumptions), assumptions,
    appFacts: appFactsFor(model, stage, opts.files, opts.contextDir),
    noCommandNote: 'no CMD or ENTRYPOINT is set in this file; the base image\'s command runs', entrypointKnown: !!stage.entrypoint,
  });
  return { ...chain, stage };
}

export function stopPolicy(model: DockerfileModel, stage: Stage, image: ImageInfo, opts: ChainOptions): StopPolicy {
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
