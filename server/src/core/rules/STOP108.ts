import type { DockerfileRule, Report } from './rule';
import { parseSignal } from '../signals';

export const STOP108: DockerfileRule = {
  meta: {
    id: 'STOP108', name: 'invalid-stopsignal', family: 'dockerfile', defaultSeverity: 'error', fixable: false,
    summary: 'STOPSIGNAL that Docker rejects, or one that cannot be handled (SIGKILL, SIGSTOP).',
  },
  check({ model }) {
    const out: Report[] = [];
    for (const ins of model.ast.getInstructions()) {
      if (ins.getKeyword() !== 'STOPSIGNAL') continue;
      const args = ins.getArguments();
      const r = ins.getArgumentsRange();
      if (args.length === 0 || !r) {
        out.push({ range: ins.getInstructionRange(), message: 'STOPSIGNAL needs a signal: the build fails. Write e.g. STOPSIGNAL SIGTERM.' });
        continue;
      }
      const raw = args.map((a) => a.getValue()).join(' ');
      if (/\$/.test(raw)) continue;
      if (args.length > 1) {
        out.push({ range: r, message: `STOPSIGNAL takes exactly one signal, got "${raw}": the build fails.` });
        continue;
      }
      const p = parseSignal(raw);
      if (!p.ok && /^-?\d+$/.test(raw) && Number(raw) !== 0) {
        out.push({ range: r, message: `${raw} names no Linux signal (1–64): Docker accepts the number, but the stop signal can never be delivered, so every stop ends in SIGKILL. Use a name such as SIGTERM.` });
      } else if (!p.ok) {
        out.push({ range: r, message: `${p.error}: the build fails. Use a name such as SIGTERM, SIGINT or SIGQUIT (Docker also accepts TERM, sigterm or 15).` });
      } else if (p.name === 'SIGKILL' || p.name === 'SIGSTOP') {
        out.push({ range: r, severity: 'warning', message: `${p.name} cannot be caught: every stop is a hard kill${p.name === 'SIGSTOP' ? ' after the process is frozen for the whole grace period' : ''}, with no cleanup. Use the signal the app handles (usually SIGTERM).` });
      }
    }
    return out;
  },
};
