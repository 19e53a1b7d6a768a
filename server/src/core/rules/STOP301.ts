import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { advice, app, consequence, q } from './rule';
import { insertExecInCommandString } from '../fixes';
import type { LineIndex } from '../text';

/** "This runs sh -c (dash)", or, for `args: ["-c", …]`, which image ENTRYPOINT gets the string. */
function lead(p: import('../chain').ChainProcess, at: { file: string }): string {
  if (p.origin?.file === at.file) return `This runs ${p.label}`;
  return `The image's ENTRYPOINT \`${p.argv[0]}\` runs this string as ${p.label}`;
}

/** A shell named in the spec's own command/args (Kubernetes) or command/entrypoint list (Compose) that stays. */
function shellStays(file: string, lines: LineIndex, chains: import('../platforms').PlatformChain[], platform: 'kubernetes' | 'compose'): Report[] {
  const out: Report[] = [];
  for (const chain of chains) {
    if (chain.policy.platform !== platform || chain.failsToStart) continue;
    for (const p of chain.processes) {
      if (p.role !== 'shell' || p.kind !== 'shell' || !p.exec || p.exec.verdict === 'exec') continue;
      // The shell is named here (`command: ["sh", "-c", …]`), or only its string is (`args: ["-c", …]`
      // after an image ENTRYPOINT of `sh`/`bash` from the workspace Dockerfile).
      const at = p.origin?.file === file ? p.origin : p.stringOrigin?.file === file ? p.stringOrigin : undefined;
      if (!at) continue;
      const a = app(chain);
      const appLabel = a && a !== p ? q(a.label) : 'the app';
      const S = chain.policy.signal;
      const unsure = p.exec.verdict === 'unknown' || chain.outcome.verdict === 'unknown';
      const fix = insertExecInCommandString(p, (f) => (f === file ? lines : undefined), 'Prefix the final command with exec inside the string');
      out.push({
        file, range: at.range, severity: unsure ? 'info' : undefined, fixes: fix ? [fix] : [],
        message: unsure
          ? `${lead(p, at)}, and whether the shell execs ${appLabel} is unknown: ${p.exec.why}. If it stays, ${appLabel} never receives ${S}. ${advice(p)}`
          : `${lead(p, at)}, which stays in front of ${appLabel} because ${p.exec.why}: ${appLabel} never receives ${S}, and ${consequence(chain)}. ${advice(p)}`,
      });
    }
  }
  return out;
}

export const STOP301: YamlRule = {
  meta: {
    id: 'STOP301', name: 'k8s-command-shell-stays', family: 'kubernetes', defaultSeverity: 'warning', fixable: false,
    summary: 'A container `command: ["sh", "-c", …]` (or `args: ["-c", …]`) whose shell stays in front of the app.',
  },
  check: ({ file, model, chains }) => shellStays(file, model.lines, chains, 'kubernetes'),
};

export const STOP402: YamlRule = {
  meta: {
    id: 'STOP402', name: 'compose-command-shell-stays', family: 'compose', defaultSeverity: 'warning', fixable: false,
    summary: 'A Compose `command:`/`entrypoint:` list that runs `sh -c …` whose shell stays in front of the app.',
  },
  check: ({ file, model, chains }) => shellStays(file, model.lines, chains, 'compose'),
};
