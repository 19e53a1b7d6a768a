// Rules over Kubernetes manifests and Compose files: they read the parsed spec and its launch chains.
import type { RuleMeta } from '../types';
import type { StopcheckConfig } from '../config';
import type { YamlFile } from '../yamlModel';
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
