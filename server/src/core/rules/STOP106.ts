import type { DockerfileRule, Report } from './rule';
import { q } from './rule';

export const STOP106: DockerfileRule = {
  meta: {
    id: 'STOP106', name: 'su-wrapper', family: 'dockerfile', defaultSeverity: 'warning', fixable: false,
    summary: '`su`/`runuser` in front of the app: they SIGKILL it 2 s after forwarding the stop signal, and `su -c` adds a login shell.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      for (const p of chain.processes) {
        if (p.role !== 'wrapper' || (p.kind !== 'su' && p.kind !== 'runuser') || !p.origin) continue;
        const S = chain.policy.signal;
        const i = chain.processes.indexOf(p);
        const child = chain.processes[i + 1];
        const shellStays = child && child.role === 'shell';
        const what = shellStays
          ? `\`${p.kind} -c\` runs the user's login shell (${child.argv[0]}, ${child.family === 'bash' ? 'bash' : child.family === 'dash' ? 'dash' : 'its /bin/sh'}), which stays in front of the app: ${p.kind} forwards ${S} to that shell, the shell dies, the app never receives ${S}, and ${p.kind} exits ${p.killAfterSeconds} s later`
          : `${p.kind} forwards ${S} to the app and SIGKILLs it ${p.killAfterSeconds} s later, whatever the grace period`;
        out.push({
          file: p.origin.file, range: p.origin.range,
          message: `${q(p.label)}: ${what}. Switch users with \`gosu\` or \`su-exec\` (they exec, leaving no wrapper), or with a USER instruction.`,
        });
      }
    }
    return out;
  },
};
