import type { DockerfileRule, Report } from './rule';
import { app } from './rule';
import { gracefulSignalOf } from '../chain';
import { setStopSignal } from '../fixes';

export const STOP109: DockerfileRule = {
  meta: {
    id: 'STOP109', name: 'graceful-signal-mismatch', family: 'dockerfile', defaultSeverity: 'warning', fixable: false,
    summary: 'The app stops gracefully on another signal (nginx and php-fpm SIGQUIT, httpd SIGWINCH, postgres SIGINT) than the one it is sent.',
  },
  check({ model, chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const a = app(chain);
      if (!a || a.role !== 'app' || !a.gracefulSignal || chain.outcome.appReceivesSignal !== true) continue;
      const S = chain.policy.signal;
      if (a.gracefulSignal === S) continue;
      const g = gracefulSignalOf(a.argv);
      if (!g) continue;
      // On the stop signal setting when one is written (STOPSIGNAL, stop_signal, lifecycle.stopSignal), else on the app.
      const at = chain.policy.signalOrigin ?? a.origin;
      if (!at) continue;
      const cmd = chain.stage?.cmd ?? chain.stage?.entrypoint;
      const anchor = cmd && cmd.stage === chain.stage ? cmd.instruction.getRange().start.line : undefined;
      const fix = model && chain.stage && anchor !== undefined && chain.policy.platform === 'docker' ? setStopSignal(model, chain.stage, g.signal, anchor) : undefined;
      const setting = chain.policy.platform === 'compose' ? `stop_signal: ${g.signal} for the service`
        : chain.policy.platform === 'kubernetes' ? `STOPSIGNAL ${g.signal} in the image (or lifecycle.stopSignal: ${g.signal}, Kubernetes 1.33+)`
          : `STOPSIGNAL ${g.signal}`;
      out.push({
        fixes: fix ? [fix] : [],
        file: at.file, range: at.range,
        message: `${g.program} stops gracefully on ${g.signal}; the ${S} it is sent here means ${g.termMeans}. Set ${setting}.`,
      });
    }
    return out;
  },
};
