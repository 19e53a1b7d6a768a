import type { DockerfileRule, Report } from './rule';
import { consequence, scriptAndDockerfile, scriptName } from './rule';

export const STOP202: DockerfileRule = {
  meta: {
    id: 'STOP202', name: 'exec-not-replacing', family: 'script', defaultSeverity: 'warning', fixable: false,
    summary: '`exec` inside a pipeline, a subshell or the background replaces only a subshell, not the script.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      if (chain.failsToStart) continue;
      for (const hop of chain.scripts) {
        for (const t of hop.staying) {
          if (!t.execNotReplacing) continue;
          const where = t.kind === 'pipeline' ? 'in a pipeline' : t.kind === 'background' ? 'in the background' : 'in a subshell';
          const fix = t.kind === 'pipeline' ? 'Drop the pipeline (log to stdout) so `exec` replaces the script.' : 'Run `exec` at the top level of the script.';
          out.push(...scriptAndDockerfile(hop, t.range,
            `\`exec\` ${where} replaces only a subshell: ${scriptName(hop)} stays and keeps ${chain.policy.signal} from the app, and ${consequence(chain)}. ${fix}`,
            `Runs ${scriptName(hop)}, whose \`exec\` ${where} does not replace the script: ${consequence(chain)}.`));
        }
      }
    }
    return out;
  },
};
