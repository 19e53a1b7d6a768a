import type { DockerfileRule, Report } from './rule';
import { advice, app, consequence, q, shellName } from './rule';
import { addTini, insertExecInCommandString, toExecForm } from '../fixes';

export const STOP101: DockerfileRule = {
  meta: {
    id: 'STOP101', name: 'shell-form-shell-stays', family: 'dockerfile', defaultSeverity: 'warning', fixable: false,
    summary: 'Shell-form CMD/ENTRYPOINT where /bin/sh stays PID 1 and keeps the stop signal from the app.',
  },
  check({ model, chains }) {
    const out: Report[] = [];
    const textOf = (f: string) => (f === model.file ? model.lines : undefined);
    for (const chain of chains) {
      for (const p of chain.processes) {
        if (p.role !== 'shell' || p.kind !== 'shell' || p.via !== 'shell-form' || !p.exec || !p.origin) continue;
        if (p.exec.verdict === 'exec') continue;
        const fixes = [];
        const { cmd, entrypoint } = chain.stage;
        const own = [cmd, entrypoint].find((c) => c && c.form === 'shell' && c.range.start.line === p.origin!.range.start.line && c.range.start.character === p.origin!.range.start.character);
        // Exec form would start passing CMD to a shell-form ENTRYPOINT: only offered for CMD, or an ENTRYPOINT without CMD.
        const execForm = own && (own === cmd || !cmd) ? toExecForm(model, own) : undefined;
        const withExec = insertExecInCommandString(p, textOf, 'Prefix the final command with exec');
        const target = app(chain);
        const needsInit = target && target.role === 'app' && target.handler === 'none' && !target.signalHandling?.[chain.policy.signal]?.keepsRunning
          && !chain.processes.some((x) => x.role === 'init');
        if (needsInit) {
          // Exec alone would leave `sleep`/`tail -f` as PID 1, which ignores the signal too: add tini with it.
          const base = execForm ?? withExec;
          const tini = base && own ? addTini(model, chain.stage, chain.image, own.instruction.getRange().start.line) : undefined;
          if (base && tini) fixes.push({ title: `${base.title}, and add tini as PID 1`, edits: [...tini.edits, ...base.edits], preferred: true });
        } else {
          if (execForm) fixes.push(execForm);
          if (withExec) fixes.push({ ...withExec, preferred: !execForm });
        }
        const unsure = chain.outcome.verdict === 'unknown' ? 'info' as const : undefined;
        const a = app(chain);
        const appLabel = a && a !== p ? q(a.label) : 'the app';
        const S = chain.policy.signal;
        if (p.exec.verdict === 'unknown') {
          out.push({
            file: p.origin.file, range: p.origin.range, severity: 'info', fixes,
            message: `Shell form runs ${shellName(p, chain)} -c, and whether it execs ${appLabel} ${p.exec.why}. `
              + `${p.family === 'unknown' ? 'If /bin/sh is dash (Debian/Ubuntu-based images), the' : 'If the'} shell stays, ${appLabel} never receives ${S} and is killed when the grace period ends. ${advice(p)}`,
          });
          continue;
        }
        const pos = chain.processes.indexOf(p) === 0 ? 'stays PID 1' : 'stays in between';
        out.push({
          file: p.origin.file, range: p.origin.range, severity: unsure, fixes,
          message: `Shell form runs ${shellName(p, chain)} -c, and the shell ${pos} because ${p.exec.why}: ${appLabel} never receives ${S}, and ${consequence(chain)}. `
            + `${advice(p)}`,
        });
      }
    }
    return out;
  },
};
