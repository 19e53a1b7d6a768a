import type { DockerfileRule, Report } from './rule';
import { app, consequence, inScript, q, scriptAndDockerfile, scriptName } from './rule';
import type { Fix } from '../types';

export const STOP201: DockerfileRule = {
  meta: {
    id: 'STOP201', name: 'script-no-exec', family: 'script', defaultSeverity: 'warning', fixable: false,
    summary: 'A start script runs its final command without `exec`, so the script\'s shell stays in front of the app.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      if (chain.failsToStart) continue;
      for (const hop of chain.scripts) {
        if (hop.processIndex === undefined) continue;
        const t = hop.terminal;
        if (!t || (t.kind !== 'command' && !(t.kind === 'pipeline' && !t.execNotReplacing))) continue;
        if (chain.outcome.verdict === 'graceful') continue;
        const a = app(chain);
        const S = chain.policy.signal;
        const initFirst = chain.processes.slice(0, hop.processIndex).some((p) => p.role === 'init');
        const pos = hop.processIndex === 0 ? 'stays PID 1' : 'stays in between';
        const cmd = q(t.words.map((w) => w.text).join(' '));
        const msg = `${cmd} is the script's last command but is not started with \`exec\`: no shell execs the last command of a script file, so ${scriptName(hop)} ${pos}, ${a && a.role === 'app' ? q(a.label) : 'the app'} never receives ${S}, and ${consequence(chain)}. Write \`exec ${t.words.map((w) => w.text).join(' ')}\`.`;
        const docker = initFirst ? undefined
          : `Runs ${scriptName(hop)}, whose last command ${cmd} is not started with \`exec\`: the script's shell ${pos} and keeps ${S} from the app; ${consequence(chain)}.`;
        const reports = scriptAndDockerfile(hop, t.range, msg, docker);
        const cmds = hop.staying.filter((x) => x.kind === 'command' && x.words[0]);
        if (t.kind === 'command' && cmds.length === hop.staying.length) {
          const fix: Fix = {
            title: cmds.length > 1 ? `Start the final command with exec (in all ${cmds.length} branches)` : `Start \`${t.words[0].text}\` with exec`,
            edits: cmds.map((x) => ({ file: hop.source.file, range: { start: inScript(hop, x.words[0].range).start, end: inScript(hop, x.words[0].range).start }, newText: 'exec ' })),
            preferred: true,
          };
          reports.forEach((r) => (r.fixes = [fix]));
        }
        out.push(...reports);
      }
    }
    return out;
  },
};
