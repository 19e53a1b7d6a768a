import type { DockerfileRule, Report } from './rule';
import { consequence, scriptAndDockerfile, scriptName } from './rule';

export const STOP203: DockerfileRule = {
  meta: {
    id: 'STOP203', name: 'script-nested-shell', family: 'script', defaultSeverity: 'warning', fixable: false,
    summary: 'A start script ends in `sh -c …` / `bash -c …`: two shells stand in front of the app.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      if (chain.failsToStart) continue;
      for (const hop of chain.scripts) {
        const t = hop.terminal;
        if (!t || t.kind !== 'nested-shell' || hop.processIndex === undefined) continue;
        out.push(...scriptAndDockerfile(hop, t.range,
          `The script ends by starting another shell (\`${t.words[0]?.text ?? 'sh'} -c\`) without \`exec\`: ${scriptName(hop)} stays, and the signal never gets past it; ${consequence(chain)}. Run the command directly with \`exec\` instead of through \`-c\`.`,
          `Runs ${scriptName(hop)}, which ends in a nested shell: ${consequence(chain)}.`));
      }
    }
    return out;
  },
};
