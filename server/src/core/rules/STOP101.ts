import type { DockerfileRule, Report } from './rule';
import { advice, app, consequence, q, shellName } from './rule';

export const STOP101: DockerfileRule = {
  meta: {
    id: 'STOP101', name: 'shell-form-shell-stays', family: 'dockerfile', defaultSeverity: 'warning', fixable: false,
    summary: 'Shell-form CMD/ENTRYPOINT where /bin/sh stays PID 1 and keeps the stop signal from the app.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      for (const p of chain.processes) {
        if (p.role !== 'shell' || p.kind !== 'shell' || p.via !== 'shell-form' || !p.exec || !p.origin) continue;
        if (p.exec.verdict === 'exec') continue;
        const unsure = chain.outcome.verdict === 'unknown' ? 'info' as const : undefined;
        const a = app(chain);
        const appLabel = a && a !== p ? q(a.label) : 'the app';
        const S = chain.policy.signal;
        if (p.exec.verdict === 'unknown') {
          out.push({
            file: p.origin.file, range: p.origin.range, severity: 'info',
            message: `Shell form runs ${shellName(p, chain)} -c, and whether it execs ${appLabel} ${p.exec.why}. `
              + `${p.family === 'unknown' ? 'If /bin/sh is dash (Debian/Ubuntu-based images), the' : 'If the'} shell stays, ${appLabel} never receives ${S} and is killed when the grace period ends. ${advice(p)}`,
          });
          continue;
        }
        const pos = chain.processes.indexOf(p) === 0 ? 'stays PID 1' : 'stays in between';
        out.push({
          file: p.origin.file, range: p.origin.range, severity: unsure,
          message: `Shell form runs ${shellName(p, chain)} -c, and the shell ${pos} because ${p.exec.why}: ${appLabel} never receives ${S}, and ${consequence(chain)}. `
            + `${advice(p)}`,
        });
      }
    }
    return out;
  },
};
