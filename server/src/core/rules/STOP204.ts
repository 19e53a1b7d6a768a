import type { DockerfileRule, Report } from './rule';
import { app, consequence, q, scriptAndDockerfile, scriptName } from './rule';

export const STOP204: DockerfileRule = {
  meta: {
    id: 'STOP204', name: 'background-without-forwarding', family: 'script', defaultSeverity: 'warning', fixable: false,
    summary: 'The app runs in the background and the script `wait`s, without a trap that forwards the stop signal and waits again.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      if (chain.failsToStart) continue;
      for (const hop of chain.scripts) {
        const t = hop.terminal;
        if (!t || t.kind !== 'wait' || hop.processIndex === undefined) continue;
        if (chain.outcome.verdict === 'graceful') continue;
        const a = app(chain);
        const S = chain.policy.signal;
        const name = scriptName(hop);
        const sig = S.replace(/^SIG/, '');
        const trap = hop.analysis.traps.find((x) => x.signals.includes(sig));
        let why: string;
        if (trap && !trap.forwards) why = `${name}'s trap for ${S} (\`${trap.action.trim().slice(0, 40)}\`) does not signal the app, and ${consequence(chain)}. Forward the signal: \`kill -TERM "$pid"\`, then wait again.`;
        else if (!trap) why = `${name} has no trap for ${S}, so ${a && a.role === 'app' ? q(a.label) : 'the app'} started in the background never receives it, and ${consequence(chain)}. Add \`trap 'kill -TERM "$pid"' TERM INT\` and wait again after it — or simply \`exec\` the app.`;
        else if (trap.sends === 'SIGINT' || trap.sends === 'SIGQUIT') why = `The trap forwards ${trap.sends}, but a background command of a non-interactive shell starts with SIGINT and SIGQUIT ignored: unless the app installs its own handler (Python's default KeyboardInterrupt does not count), it ignores the forwarded signal. Forward SIGTERM instead.`;
        else why = `The trap forwards ${trap.sends ?? 'SIGTERM'}, but the first \`wait\` returns as soon as the trap has run and the script then exits, ending the container while the app is still cleaning up. Wait again after the trap (\`wait "$pid"\` a second time).`;
        out.push(...scriptAndDockerfile(hop, t.range, why, `Runs ${name}, which waits for a background app without passing ${S} on correctly: ${consequence(chain)}.`));
      }
    }
    return out;
  },
};
