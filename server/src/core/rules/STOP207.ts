import type { DockerfileRule, Report } from './rule';
import { app, inScript, q, scriptName } from './rule';

export const STOP207: DockerfileRule = {
  meta: {
    id: 'STOP207', name: 'init-before-script-without-exec', family: 'script', defaultSeverity: 'warning', fixable: false,
    summary: 'An init (tini, dumb-init) in front of a start script that does not exec: the init exits as soon as the script\'s shell dies, cutting the app short.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      if (chain.failsToStart) continue;
      for (const hop of chain.scripts) {
        if (hop.processIndex === undefined || !hop.terminal) continue;
        const init = chain.processes.slice(0, hop.processIndex).reverse().find((p) => p.role === 'init');
        if (!init || !init.origin) continue;
        if (chain.outcome.verdict !== 'cut-short') continue;
        const a = app(chain);
        const appLabel = a && a.role === 'app' ? q(a.label) : 'the app';
        out.push({
          file: init.origin.file, range: init.origin.range,
          message: `${init.label} runs ${scriptName(hop)}, which does not exec ${appLabel}: on ${chain.policy.signal}, ${chain.outcome.summary}. An init exits as soon as its child does, so it does not fix a script without exec; add \`exec\` to the script's last command.`,
          related: [{ file: hop.source.file, range: inScript(hop, hop.terminal.range), message: `${scriptName(hop)}: last command without exec` }],
        });
      }
    }
    return out;
  },
};
