import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { app, consequence, q } from './rule';

export const STOP308: YamlRule = {
  meta: {
    id: 'STOP308', name: 'shell-wrapped-without-prestop', family: 'kubernetes', defaultSeverity: 'info', fixable: false,
    summary: 'A container whose image runs the app behind a shell or script that keeps the stop signal, with no preStop to stop the app.',
  },
  check({ file, chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const c = chain.container;
      if (!c || c.sidecar || c.preStop || chain.failsToStart) continue;
      if (chain.outcome.verdict !== 'killed' && chain.outcome.verdict !== 'cut-short') continue;
      const stopper = chain.outcome.stopsAt !== undefined ? chain.processes[chain.outcome.stopsAt] : undefined;
      if (!stopper || stopper.role !== 'shell' || stopper.origin?.file === file || stopper.stringOrigin?.file === file) continue; // STOP301 covers shells written here
      const a = app(chain);
      out.push({
        range: c.name.range,
        message: `Container ${c.name.value}: ${q(stopper.label)} (from the image) keeps ${chain.policy.signal} from ${a && a.role === 'app' ? q(a.label) : 'the app'}, and ${consequence(chain)}. The real fix is \`exec\` in the image's start command; until then, a preStop that signals the app directly is the usual workaround.`,
      });
    }
    return out;
  },
};
