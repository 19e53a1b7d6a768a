// A rule is metadata plus a check over the parsed document and its launch chains (ESLint's shape).
// Rules never re-parse text and never re-derive who PID 1 is: they read the chain.
import type { Finding, Fix, RelatedInfo, Range, RuleMeta, Severity } from '../types';
import type { DockerfileModel, DockerChain } from '../dockerfile';
import type { ChainProcess, LaunchChain, ScriptHop } from '../chain';
import { familyLabel } from '../images';
import { addTini } from '../fixes';

export interface DockerfileContext {
  model: DockerfileModel;
  chains: DockerChain[];
}

export interface Report {
  range: Range;
  message: string;
  /** Lower than the rule's default when the verdict depends on something unknown. */
  severity?: Severity;
  related?: RelatedInfo[];
  fixes?: Fix[];
  file?: string;
}

export interface DockerfileRule {
  meta: RuleMeta;
  check(ctx: DockerfileContext): Report[];
}

export function toFinding(meta: RuleMeta, file: string, r: Report): Finding {
  return {
    rule: meta.id, severity: r.severity ?? meta.defaultSeverity, file: r.file ?? file, range: r.range, message: r.message,
    related: r.related ?? [], fixes: r.fixes ?? [],
  };
}

export function app(chain: LaunchChain): ChainProcess | undefined {
  return chain.processes[chain.processes.length - 1];
}

export function q(s: string): string {
  return `\`${s.length > 60 ? s.slice(0, 57) + '…' : s}\``;
}

/** "docker stop kills it after 10 s" and friends, from the chain's verdict. */
export function consequence(chain: LaunchChain): string {
  const o = chain.outcome;
  const who = chain.policy.platform === 'kubernetes' ? 'the kubelet' : chain.policy.platform === 'compose' ? 'docker compose stop' : 'docker stop';
  switch (o.verdict) {
    case 'killed': return `${who} SIGKILLs it after ${o.killAtSeconds ?? chain.policy.gracePeriodSeconds} s`;
    case 'cut-short': return 'the container stops before the app can finish its cleanup';
    case 'fails-to-start': return 'the container cannot start';
    case 'graceful': return 'the app still gets the signal';
    default: return `the outcome is unknown (${o.summary})`;
  }
}

export function shellName(p: ChainProcess, chain: LaunchChain): string {
  const fam = p.family ?? chain.shellFamily;
  const name = p.argv[0] ?? '/bin/sh';
  if (fam === 'unknown') return name;
  return `${name} (${familyLabel(fam)}${p.via === 'shell-form' && !('shellFromInstruction' in chain && (chain as { shellFromInstruction: boolean }).shellFromInstruction) && chain.image.known ? ` on this ${chain.image.distro} image` : ''})`;
}

/** What to do about a shell that stays, by the shape of its command string. */
export function advice(p: ChainProcess): string {
  switch (p.facts?.shape) {
    case 'pipeline': return 'No shell can exec a pipeline: let the app log to stdout instead of piping it, or run the pipeline from a script that forwards the signal.';
    case 'background': return 'Run the app in the foreground, started with `exec`.';
    case 'compound': return 'End the command with `exec <app>`.';
    default: return p.via === 'shell-form' ? 'Prefix the final command with `exec`, or use exec form.' : 'Prefix the final command with `exec` inside the string.';
  }
}

/** A range inside a script, moved to its place in the file that holds it (heredocs live in the Dockerfile). */
export function inScript(hop: ScriptHop, r: Range): Range {
  const o = hop.source.lineOffset;
  return { start: { line: r.start.line + o, character: r.start.character }, end: { line: r.end.line + o, character: r.end.character } };
}

export function scriptName(hop: ScriptHop): string {
  return hop.imagePath.split('/').pop() ?? hop.imagePath;
}

/** Related info pointing at the Dockerfile word that starts the script. */
export function runByRelated(hop: ScriptHop, what = 'the Dockerfile starts the script here'): RelatedInfo[] {
  return hop.runBy ? [{ file: hop.runBy.file, range: hop.runBy.range, message: what }] : [];
}

/** "(Dockerfile line 7)" for script messages. */
export function runByText(hop: ScriptHop): string {
  if (!hop.runBy) return '';
  const f = hop.runBy.file.split('/').pop();
  return ` (run by ${f} line ${hop.runBy.range.start.line + 1})`;
}

/** Report in the script, plus its twin on the Dockerfile word that runs it. */
export function scriptAndDockerfile(hop: ScriptHop, at: Range, scriptMsg: string, dockerMsg: string | undefined, severity?: Severity): Report[] {
  const out: Report[] = [];
  const loc = inScript(hop, at);
  out.push({ file: hop.source.file, range: loc, message: scriptMsg + runByText(hop), related: runByRelated(hop), severity });
  if (dockerMsg && hop.runBy && !(hop.source.file === hop.runBy.file && loc.start.line === hop.runBy.range.start.line)) {
    out.push({ file: hop.runBy.file, range: hop.runBy.range, message: dockerMsg, related: [{ file: hop.source.file, range: loc, message: `${scriptName(hop)} line ${loc.start.line + 1}` }], severity });
  }
  return out;
}

/**
 * For an app the Dockerfile being checked starts: the line of its CMD/ENTRYPOINT (where STOPSIGNAL
 * and tini go), the add-tini fix, and the init advice for the platform.
 */
export function initFixFor(model: DockerfileModel | undefined, chain: DockerChain, a: ChainProcess):
  { anchor?: number; tini?: Fix; initAdvice: string; grace: number } {
  const cmd = chain.stage?.cmd ?? chain.stage?.entrypoint;
  const inThisFile = !!(model && chain.stage && cmd && cmd.stage === chain.stage && a.origin?.file === model.file);
  const anchor = inThisFile && cmd ? cmd.instruction.getRange().start.line : undefined;
  const tini = model && chain.stage && anchor !== undefined ? addTini(model, chain.stage, chain.image, anchor) : undefined;
  const initAdvice = chain.policy.platform === 'kubernetes' ? 'put an init in front (tini in the image\'s ENTRYPOINT)' : 'put an init in front (ENTRYPOINT ["tini", "--"], `docker run --init`)';
  return { anchor, tini, initAdvice, grace: chain.outcome.killAtSeconds ?? chain.policy.gracePeriodSeconds };
}
