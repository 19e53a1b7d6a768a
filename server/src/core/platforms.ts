// Kubernetes containers and Compose services → launch chains. The image's Dockerfile, when it is in
// the workspace, supplies ENTRYPOINT/CMD/SHELL/STOPSIGNAL and its start scripts; the spec overrides
// command, args, init, stop signal and grace period (SEMANTICS.md §2–3).
import * as path from 'path';
import type { FileAccess, Location } from './types';
import type { StopcheckConfig } from './config';
import { classifyImage, parseImageRef, type ImageInfo } from './images';
import { parseSignal } from './signals';
import type { StopPolicy, Word } from './chain';
import {
  buildChain, combineCommand, parseDockerfile, resolveImage, scriptResolver, stopPolicy, type ChainExtras, type CommandPart,
  type DockerfileModel, type Stage,
} from './dockerfile';
import type { LaunchChain } from './chain';
import { appFactsFor } from './appFacts';
import { versionAtLeast } from './rules/yamlRule';
import type { ComposeService, KubeContainer, KubePod } from './yamlModel';

export interface DockerfileSource {
  file: string;
  text: string;
  contextDir: string;
  target?: string;
  /** How it was found, for assumptions. */
  how: string;
}

export interface PlatformOptions {
  config: StopcheckConfig;
  files?: FileAccess;
  /** Finds the workspace Dockerfile that builds an image (settings mapping or best-effort match). */
  dockerfileForImage?: (image: string) => DockerfileSource | undefined;
}

export interface PlatformChain extends LaunchChain, ChainExtras {
  pod?: KubePod;
  container?: KubeContainer;
  service?: ComposeService;
  dockerfile?: DockerfileSource;
  /** Compose string command/entrypoint cut at a shell operator. */
  truncated?: Array<{ key: 'command' | 'entrypoint'; dropped: string; at: Location }>;
}

function dockerStage(src: DockerfileSource): { model: DockerfileModel; stage: Stage } | undefined {
  const model = parseDockerfile(src.file, src.text);
  if (model.stages.length === 0) return undefined;
  const t = src.target?.toLowerCase();
  const stage = t ? model.stages.find((s) => s.name?.toLowerCase() === t) : model.stages[model.stages.length - 1];
  return stage ? { model, stage } : undefined;
}

/**
 * Split a Compose string command the way compose-go does (go-shellwords, no shell): quotes and
 * backslashes are honoured, and parsing stops at the first unquoted `;`, `&`, `|`, `<` or `>`.
 */
export function composeSplit(s: string): { words: string[]; rest?: string } {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let q: '"' | "'" | '' = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q === "'") {
      if (c === "'") q = '';
      else cur += c;
      continue;
    }
    if (q === '"') {
      if (c === '"') q = '';
      else if (c === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1])) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
      continue;
    }
    if (c === "'" || c === '"') {
      q = c;
      has = true;
      continue;
    }
    if (/\s/.test(c)) {
      if (has) words.push(cur);
      cur = '';
      has = false;
      continue;
    }
    if (';&|<>'.includes(c)) {
      if (has) words.push(cur);
      return { words, rest: s.slice(i).trim() };
    }
    cur += c;
    has = true;
  }
  if (has) words.push(cur);
  return { words };
}

function part(spec: { form: 'list' | 'string'; words: Word[]; raw?: string; range: import('./types').Range } | undefined, file: string,
  key: 'command' | 'entrypoint', truncated: PlatformChain['truncated']): CommandPart | undefined {
  if (!spec) return undefined;
  if (spec.form === 'list') return { form: 'exec', words: spec.words };
  const { words, rest } = composeSplit(spec.raw ?? '');
  const origin = { file, range: spec.range };
  if (rest !== undefined) truncated?.push({ key, dropped: rest, at: origin });
  return { form: 'exec', words: words.map((w) => ({ value: w, literal: true, origin })) };
}

interface BaseInfo {
  image: ImageInfo;
  model?: DockerfileModel;
  stage?: Stage;
  src?: DockerfileSource;
  assumptions: string[];
}

function base(imageRef: string | undefined, src: DockerfileSource | undefined): BaseInfo {
  const assumptions: string[] = [];
  if (src) {
    const ds = dockerStage(src);
    if (ds) {
      assumptions.push(`the image is built from ${src.how}`);
      return { image: resolveImage(ds.stage), model: ds.model, stage: ds.stage, src, assumptions };
    }
  }
  const image = classifyImage(imageRef ?? 'unknown');
  if (imageRef) assumptions.push(`no Dockerfile in the workspace builds ${imageRef}: its ENTRYPOINT and CMD are unknown, the image table decides its shell`);
  return { image, assumptions };
}

export function kubeChain(file: string, pod: KubePod, c: KubeContainer, opts: PlatformOptions): PlatformChain {
  const src = c.image ? opts.dockerfileForImage?.(c.image.value) : undefined;
  const b = base(c.image?.value, src);
  const shell = b.stage?.shell?.argv ?? ['/bin/sh', '-c'];
  const cmdPart = c.command ? { form: 'exec' as const, words: c.command.words } : undefined;
  const argsPart = c.args ? { form: 'exec' as const, words: c.args.words } : undefined;
  let words: Word[];
  let shellFormFirst = false;
  if (cmdPart) ({ words, shellFormFirst } = combineCommand(cmdPart, argsPart, shell));
  else if (argsPart) ({ words, shellFormFirst } = combineCommand(b.stage?.entrypoint, argsPart, shell));
  else ({ words, shellFormFirst } = combineCommand(b.stage?.entrypoint, b.stage?.cmd, shell));
  const grace = pod.grace?.value ?? opts.config.gracePeriods.kubernetes;
  const policy: StopPolicy = b.model && b.stage ? stopPolicy(b.model, b.stage, b.image, { gracePeriodSeconds: grace })
    : { platform: 'kubernetes', signal: b.image.stopSignal ?? 'SIGTERM', signalFromImage: !!b.image.stopSignal, gracePeriodSeconds: grace };
  policy.platform = 'kubernetes';
  policy.gracePeriodSeconds = grace;
  // lifecycle.stopSignal exists from Kubernetes 1.33 (ContainerStopSignals); before that it is dropped.
  if (c.stopSignal && versionAtLeast(opts.config.kubernetesVersion, 1, 33)) {
    const p = parseSignal(c.stopSignal.value);
    if (p.ok) {
      policy.signal = p.name;
      policy.signalOrigin = { file, range: c.stopSignal.range };
      policy.signalFromImage = false;
    }
  }
  if (c.preStop) {
    const label = c.preStop.kind === 'sleep' ? `sleep ${c.preStop.seconds ?? '?'} s (kubelet)` : c.preStop.kind === 'exec' ? (c.preStop.text ?? 'exec') : c.preStop.kind;
    policy.preStop = { seconds: c.preStop.seconds, label, origin: { file, range: c.preStop.keyRange } };
    if (c.preStop.seconds === undefined) b.assumptions.push(`the preStop hook (${label}) finishes quickly; its duration is unknown`);
  }
  if (pod.shareProcessNamespace) policy.notPid1 = true;
  const resolveScript = b.model && b.stage ? scriptResolver(b.model, b.stage, opts.files, src?.contextDir, b.assumptions) : undefined;
  const appFacts = b.model && b.stage ? appFactsFor(b.model, b.stage, opts.files, src?.contextDir) : undefined;
  const chain = buildChain({
    file, target: `${pod.kind.value}${pod.name ? '/' + pod.name : ''} container ${c.name.value}`, image: b.image, shellArgv: shell,
    shellFromInstruction: !!b.stage?.shell, words, shellFormFirst, policy, resolveScript, appFacts, assumptions: b.assumptions,
    entrypointKnown: !!cmdPart || !!b.stage, noCommandNote: 'no command is set here and the image\'s Dockerfile is not in the workspace; the image\'s own command runs',
  });
  return { ...chain, pod, container: c, dockerfile: src };
}

export function composeChain(file: string, svc: ComposeService, opts: PlatformOptions): PlatformChain {
  let src: DockerfileSource | undefined;
  if (svc.build) {
    const ctxDir = path.resolve(path.dirname(file), svc.build.context);
    const df = path.resolve(ctxDir, svc.build.dockerfile ?? 'Dockerfile');
    const text = opts.files?.read(df);
    if (text !== undefined) src = { file: df, text, contextDir: ctxDir, target: svc.build.target, how: `${path.relative(path.dirname(file), df) || 'Dockerfile'} (build:)` };
  } else if (svc.image) src = opts.dockerfileForImage?.(svc.image.value);
  const b = base(svc.image?.value, src);
  if (svc.build && !src) b.assumptions.push(`the Dockerfile named by build: is not readable here`);
  const shell = b.stage?.shell?.argv ?? ['/bin/sh', '-c'];
  const truncated: PlatformChain['truncated'] = [];
  const ep = part(svc.entrypoint, file, 'entrypoint', truncated);
  const cmd = part(svc.command, file, 'command', truncated);
  // `entrypoint:` drops the image CMD; `command:` replaces it.
  const { words, shellFormFirst } = combineCommand(ep ?? b.stage?.entrypoint, cmd ?? (ep ? undefined : b.stage?.cmd), shell);
  const grace = svc.stopGrace?.seconds ?? opts.config.gracePeriods.compose;
  const policy: StopPolicy = b.model && b.stage ? stopPolicy(b.model, b.stage, b.image, { gracePeriodSeconds: grace })
    : { platform: 'compose', signal: b.image.stopSignal ?? 'SIGTERM', signalFromImage: !!b.image.stopSignal, gracePeriodSeconds: grace };
  policy.platform = 'compose';
  policy.gracePeriodSeconds = grace;
  if (svc.stopSignal) {
    const p = parseSignal(svc.stopSignal.value);
    if (p.ok) {
      policy.signal = p.name;
      policy.signalOrigin = { file, range: svc.stopSignal.range };
      policy.signalFromImage = false;
    }
  }
  const init = svc.init?.value ? { label: 'docker-init (init: true)', origin: { file, range: svc.init.range } } : undefined;
  if (init) policy.platformInit = true;
  const resolveScript = b.model && b.stage ? scriptResolver(b.model, b.stage, opts.files, src?.contextDir, b.assumptions) : undefined;
  const appFacts = b.model && b.stage ? appFactsFor(b.model, b.stage, opts.files, src?.contextDir) : undefined;
  const chain = buildChain({
    file, target: `service ${svc.name.value}`, image: b.image, shellArgv: shell, shellFromInstruction: !!b.stage?.shell, words, shellFormFirst,
    policy, resolveScript, appFacts, assumptions: b.assumptions, platformInit: init, entrypointKnown: !!ep || !!b.stage,
    noCommandNote: 'no command is set here and the image\'s Dockerfile is not in the workspace; the image\'s own command runs',
  });
  return { ...chain, service: svc, dockerfile: src, truncated };
}

/**
 * Best-effort: an image whose repository's last part names the folder of a workspace Dockerfile.
 * `dockerfiles` may be a map from the lower-cased folder name to the Dockerfiles in such folders, built
 * once per workspace (a scan of every Dockerfile per image was quadratic).
 */
export function matchImageToDockerfile(image: string, dockerfiles: readonly string[] | ReadonlyMap<string, readonly string[]>, mapping: Record<string, string>, configDir: string): string | undefined {
  const ref = parseImageRef(image);
  const full = ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
  for (const [k, v] of Object.entries(mapping)) {
    const mk = parseImageRef(k);
    const mfull = mk.registry ? `${mk.registry}/${mk.repository}` : mk.repository;
    if (mfull === full || k === image) return path.resolve(configDir, v);
  }
  const last = ref.repository.split('/').pop() ?? '';
  if (!last) return undefined;
  const hits = Array.isArray(dockerfiles) ? (dockerfiles as readonly string[]).filter((f) => path.basename(path.dirname(f)).toLowerCase() === last)
    : (dockerfiles as ReadonlyMap<string, readonly string[]>).get(last) ?? [];
  return hits.length === 1 ? hits[0] : undefined;
}
