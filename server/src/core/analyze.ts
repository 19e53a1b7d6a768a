// The core's entry points: text in, findings and launch chains out. No editor, no connection.
import type { Finding, FileAccess } from './types';
import { comparePos } from './types';
import { DEFAULT_CONFIG, effectiveSeverity, type StopcheckConfig } from './config';
import { parseDockerfile, runnableStages, buildDockerChain, type DockerChain, type DockerfileModel } from './dockerfile';
import { DOCKERFILE_RULES, SHARED_CHAIN_RULES, YAML_RULES } from './rules/index';
import { parseYamlFile, type YamlFile } from './yamlModel';
import { composeChain, kubeChain, type PlatformChain, type PlatformOptions } from './platforms';
import { toFinding } from './rules/rule';
import { readSuppressions, isSuppressed } from './suppress';
import { suppressFix } from './fixes';
import { LineIndex } from './text';
import { rethrowGrammar } from './grammar';

export type FileKind = 'dockerfile' | 'yaml' | 'script' | 'unknown';

const DOCKERFILE_NAME = /^(?:Dockerfile|Containerfile)(?:\..+)?$|\.(?:dockerfile|containerfile)$/i;

export function fileKind(file: string): FileKind {
  const name = file.split('/').pop() ?? file;
  if (DOCKERFILE_NAME.test(name) && !/\.dockerignore$/i.test(name)) return 'dockerfile';
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  return 'unknown';
}

export interface DockerfileAnalysis {
  model: DockerfileModel;
  chains: DockerChain[];
  findings: Finding[];
}

export interface AnalyzeOptions {
  config?: StopcheckConfig;
  files?: FileAccess;
  /** Only this stage (name or index). */
  target?: string;
  /** Build context folder (default: the Dockerfile's folder). */
  contextDir?: string;
}

export function analyzeDockerfile(file: string, text: string, opts: AnalyzeOptions = {}): DockerfileAnalysis {
  const config = opts.config ?? DEFAULT_CONFIG;
  const model = parseDockerfile(file, text);
  let stages = runnableStages(model);
  if (opts.target !== undefined) {
    const t = opts.target.toLowerCase();
    const s = model.stages.find((x) => x.name?.toLowerCase() === t) ?? (/^\d+$/.test(t) ? model.stages[Number(t)] : undefined);
    stages = s ? [s] : [];
  }
  const chains = stages.map((s) => buildDockerChain(model, s, { gracePeriodSeconds: config.gracePeriods.docker, files: opts.files, contextDir: opts.contextDir }));
  const raw: Finding[] = [];
  for (const rule of DOCKERFILE_RULES) {
    if (effectiveSeverity(config, rule.meta.id, rule.meta.defaultSeverity) === undefined) continue;
    let reports;
    try {
      reports = rule.check({ model, chains });
    } catch (e) {
      rethrowGrammar(e);
      // A rule bug must not take the others down; surface it as an internal finding-free error.
      console.error(`stopcheck: rule ${rule.meta.id} failed on ${file}: ${(e as Error).stack ?? e}`);
      continue;
    }
    for (const r of reports) raw.push(toFinding(rule.meta, file, r));
  }
  const texts = new Map<string, string>([[file, text]]);
  const known = new Map<string, LineIndex>([[file, model.lines]]);
  for (const c of chains) {
    for (const h of c.scripts) {
      if (texts.has(h.source.file)) continue;
      texts.set(h.source.file, h.source.text);
      if (h.source.lineOffset === 0 && h.analysis.lines.text === h.source.text) known.set(h.source.file, h.analysis.lines);
    }
  }
  const findings = finalize(raw, texts, config, known);
  return { model, chains, findings };
}

/** Apply severity settings and suppressions, drop duplicates (shared by inherited stages), sort. */
export function finalize(raw: Finding[], texts: Map<string, string>, config: StopcheckConfig, known?: Map<string, LineIndex>): Finding[] {
  const sups = new Map<string, ReturnType<typeof readSuppressions>>();
  // Line indexes already built for these texts (the parsed Dockerfile's, the scripts' analyses').
  const lineIdx = new Map<string, LineIndex>(known);
  const linesOf = (file: string): LineIndex | undefined => {
    let l = lineIdx.get(file);
    const t = texts.get(file);
    if (!l && t !== undefined) {
      l = new LineIndex(t);
      lineIdx.set(file, l);
    }
    return l;
  };
  const supOf = (file: string) => {
    let s = sups.get(file);
    if (!s) {
      s = readSuppressions(texts.get(file) ?? '');
      sups.set(file, s);
    }
    return s;
  };
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of raw) {
    const configured = config.severity[f.rule];
    const sev = effectiveSeverity(config, f.rule, f.severity);
    if (sev === undefined) continue;
    if (isSuppressed(supOf(f.file), f)) continue;
    const key = `${f.rule}|${f.file}|${f.range.start.line}:${f.range.start.character}|${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const sf = suppressFix(f, linesOf(f.file));
    out.push({ ...f, severity: configured && configured !== 'off' ? configured : sev, fixes: sf ? [...f.fixes, sf] : f.fixes });
  }
  return sortFindings(out);
}

export function sortFindings(fs: Finding[]): Finding[] {
  return fs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || comparePos(a.range.start, b.range.start) || comparePos(a.range.end, b.range.end) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}

export interface YamlAnalysis {
  model: YamlFile;
  chains: PlatformChain[];
  findings: Finding[];
}

/** Kubernetes manifests and Compose files. Other YAML (and Helm templates) yield nothing. */
export function analyzeYaml(file: string, text: string, opts: AnalyzeOptions & Pick<PlatformOptions, 'dockerfileForImage'> = {}): YamlAnalysis {
  const config = opts.config ?? DEFAULT_CONFIG;
  const model = parseYamlFile(file, text);
  const popts: PlatformOptions = { config, files: opts.files, dockerfileForImage: opts.dockerfileForImage };
  const chains: PlatformChain[] = [];
  if (model.kind === 'kubernetes') {
    for (const pod of model.pods) for (const c of pod.containers) chains.push(kubeChain(file, pod, c, popts));
  } else if (model.kind === 'compose') {
    for (const svc of model.services) chains.push(composeChain(file, svc, popts));
  }
  const raw: Finding[] = [];
  if (chains.length > 0 || model.pods.length > 0) {
    for (const rule of YAML_RULES) {
      if (rule.meta.family !== model.kind && rule.meta.family !== 'app') continue;
      if (effectiveSeverity(config, rule.meta.id, rule.meta.defaultSeverity) === undefined) continue;
      try {
        for (const r of rule.check({ file, model, chains, config })) raw.push(toFinding(rule.meta, file, r));
      } catch (e) {
        rethrowGrammar(e);
        console.error(`stopcheck: rule ${rule.meta.id} failed on ${file}: ${(e as Error).stack ?? e}`);
      }
    }
    // Processes written in this file (npm, su, sleep … in command:) get the same rules as in a Dockerfile.
    for (const rule of SHARED_CHAIN_RULES) {
      if (effectiveSeverity(config, rule.meta.id, rule.meta.defaultSeverity) === undefined) continue;
      try {
        for (const r of rule.check({ model: undefined as unknown as DockerfileModel, chains: chains as unknown as DockerChain[] })) {
          const f = toFinding(rule.meta, file, r);
          if (f.file === file) raw.push(f);
        }
      } catch (e) {
        rethrowGrammar(e);
        console.error(`stopcheck: rule ${rule.meta.id} failed on ${file}: ${(e as Error).stack ?? e}`);
      }
    }
  }
  const findings = finalize(raw, new Map([[file, text]]), config);
  return { model, chains, findings };
}
