// Settings shared by the CLI (.stopcheck.json / --config) and the editor (VS Code settings, same keys).
import type { Severity } from './types';

export type SeveritySetting = Severity | 'off';

export interface StopcheckConfig {
  disabledRules: string[];
  severity: Record<string, SeveritySetting>;
  gracePeriods: { docker: number; compose: number; kubernetes: number };
  kubernetesVersion: string;
  /** Image name → Dockerfile path (relative to the config's folder, or absolute). */
  images: Record<string, string>;
}

export const DEFAULT_CONFIG: StopcheckConfig = {
  disabledRules: [],
  severity: {},
  gracePeriods: { docker: 10, compose: 10, kubernetes: 30 },
  kubernetesVersion: '1.30',
  images: {},
};

export const CONFIG_FILE = '.stopcheck.json';

/** Validate and merge a user object over the defaults. Problems are returned, never thrown. */
export function mergeConfig(base: StopcheckConfig, user: unknown, where: string): { config: StopcheckConfig; problems: string[] } {
  const problems: string[] = [];
  const config: StopcheckConfig = {
    disabledRules: [...base.disabledRules], severity: { ...base.severity }, gracePeriods: { ...base.gracePeriods },
    kubernetesVersion: base.kubernetesVersion, images: { ...base.images },
  };
  if (user === undefined || user === null) return { config, problems };
  if (typeof user !== 'object' || Array.isArray(user)) {
    problems.push(`${where}: expected an object`);
    return { config, problems };
  }
  const u = user as Record<string, unknown>;
  for (const key of Object.keys(u)) {
    if (!['disabledRules', 'severity', 'gracePeriods', 'kubernetesVersion', 'images', '$schema'].includes(key)) {
      problems.push(`${where}: unknown key "${key}"`);
    }
  }
  if (u.disabledRules !== undefined) {
    if (Array.isArray(u.disabledRules) && u.disabledRules.every((x) => typeof x === 'string')) {
      config.disabledRules = [...new Set([...config.disabledRules, ...(u.disabledRules as string[]).map((x) => x.toUpperCase())])];
    } else problems.push(`${where}: "disabledRules" must be an array of rule ids`);
  }
  if (u.severity !== undefined) {
    if (typeof u.severity === 'object' && u.severity !== null && !Array.isArray(u.severity)) {
      for (const [id, sev] of Object.entries(u.severity as Record<string, unknown>)) {
        if (sev === 'error' || sev === 'warning' || sev === 'info' || sev === 'off') config.severity[id.toUpperCase()] = sev;
        else problems.push(`${where}: severity of ${id} must be error, warning, info or off`);
      }
    } else problems.push(`${where}: "severity" must be an object`);
  }
  if (u.gracePeriods !== undefined) {
    const g = u.gracePeriods as Record<string, unknown>;
    if (typeof g === 'object' && g !== null) {
      for (const k of ['docker', 'compose', 'kubernetes'] as const) {
        if (g[k] === undefined) continue;
        if (typeof g[k] === 'number' && (g[k] as number) >= 0 && Number.isFinite(g[k])) config.gracePeriods[k] = g[k] as number;
        else problems.push(`${where}: gracePeriods.${k} must be a number of seconds`);
      }
    } else problems.push(`${where}: "gracePeriods" must be an object`);
  }
  if (u.kubernetesVersion !== undefined) {
    if (typeof u.kubernetesVersion === 'string' && /^\d+\.\d+$/.test(u.kubernetesVersion)) config.kubernetesVersion = u.kubernetesVersion;
    else problems.push(`${where}: "kubernetesVersion" must look like "1.30"`);
  }
  if (u.images !== undefined) {
    if (typeof u.images === 'object' && u.images !== null && Object.values(u.images).every((v) => typeof v === 'string')) {
      Object.assign(config.images, u.images as Record<string, string>);
    } else problems.push(`${where}: "images" must map image names to Dockerfile paths`);
  }
  return { config, problems };
}

export function parseConfigText(text: string, where: string, base: StopcheckConfig = DEFAULT_CONFIG): { config: StopcheckConfig; problems: string[] } {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    return { config: base, problems: [`${where}: not valid JSON (${(e as Error).message})`] };
  }
  return mergeConfig(base, obj, where);
}

export function effectiveSeverity(config: StopcheckConfig, rule: string, severity: Severity): Severity | undefined {
  if (config.disabledRules.includes(rule)) return undefined;
  const s = config.severity[rule];
  if (s === 'off') return undefined;
  return s ?? severity;
}
