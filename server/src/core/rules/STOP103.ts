import type { DockerfileRule, Report } from './rule';
import { advice, app, consequence, q, shellName } from './rule';
import { insertExecInCommandString } from '../fixes';

export const STOP103: DockerfileRule = {
  meta: {
    id: 'STOP103', name: 'exec-form-wraps-shell', family: 'dockerfile', defaultSeverity: 'warning', fixable: false,
    summary: 'Exec form that runs `sh -c …`: the JSON form does not help when the shell it starts stays in front of the app.',
  },
  check({ model, chains }) {
    const textOf = (f: string) => (f === model.file ? model.lines : undefined);
    const out: Report[] = [];
    for (const chain of chains) {
      if (chain.failsToStart) continue;
      for (const p of chain.processes) {
        if (p.role !== 'shell' || p.kind !== 'shell' || p.via !== 'exec-form' || !p.exec || !p.origin) continue;
        if (p.exec.verdict === 'exec') continue;
        const fix = insertExecInCommandString(p, textOf, 'Prefix the final command with exec inside the string');
        const fixes = fix ? [fix] : [];
        const unsure = chain.outcome.verdict === 'unknown' ? 'info' as const : undefined;
        const a = app(chain);
        const appLabel = a && a !== p ? q(a.label) : 'the app';
        const S = chain.policy.signal;
        if (p.exec.verdict === 'unknown') {
          out.push({
            file: p.origin.file, range: p.origin.range, severity: 'info', fixes,
            message: `Exec form, but it starts ${shellName(p, chain)} -c, and whether that shell execs ${appLabel} ${p.exec.why}. If it is dash, the shell keeps ${S} from the app. ${advice(p)}`,
          });
          continue;
        }
        const pos = chain.processes.indexOf(p) === 0 ? 'stays PID 1' : 'stays in between';
        out.push({
          file: p.origin.file, range: p.origin.range, severity: unsure, fixes,
          message: `Exec form, but it starts ${shellName(p, chain)} -c, and the shell ${pos} because ${p.exec.why}: ${appLabel} never receives ${S}, and ${consequence(chain)}. ${advice(p)}`,
        });
      }
    }
    return out;
  },
};
