// Rules over Kubernetes manifests and Compose files: they read the parsed spec and its launch chains.
import type { RuleMeta } from '../types';
import type { StopcheckConfig } from '../config';
import type { KubePod, YamlFile } from '../yamlModel';
import type { LineIndex } from '../text';
import type { TextEdit } from '../types';
import { insertYamlKey, replaceValue } from '../fixes';
import type { PlatformChain } from '../platforms';
import type { Report } from './rule';

export interface YamlContext {
  file: string;
  model: YamlFile;
  chains: PlatformChain[];
  config: StopcheckConfig;
}

export interface YamlRule {
  meta: RuleMeta;
  check(ctx: YamlContext): Report[];
}

export function versionAtLeast(v: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(v);
  if (!m) return true;
  return Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor);
}

/** terminationGracePeriodSeconds when the pod spec does not set it (the API server's default). */
export const K8S_DEFAULT_GRACE = 30;

/**
 * Set the pod's terminationGracePeriodSeconds: replace its own value, or add the key to the pod spec
 * (also when the value comes from a `<<` merge, so the shared anchor is left alone).
 */
export function graceEdit(file: string, lines: LineIndex, pod: KubePod, want: string): TextEdit | undefined {
  if (pod.grace && !pod.grace.merged) return replaceValue(file, pod.grace.range, want);
  return insertYamlKey(file, lines, pod.specRange.start, 'terminationGracePeriodSeconds', want);
}
