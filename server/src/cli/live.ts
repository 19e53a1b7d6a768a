// `stopcheck simulate --live`: plan and run each simulated container for real (one at a time), and
// make sure an interrupt (Ctrl+C, SIGTERM, SIGHUP) stops the run and leaves no process behind.
import type { LaunchChain } from '../core/chain';
import type { DockerfileModel } from '../core/dockerfile';
import { liveAvailable, planLive, runLive, type LiveIsolation } from '../core/simulate/live';
import { displayCommand, observedJson, type ObservedJson } from '../core/simulate/liveReport';

export interface LiveOutcome {
  observed: ObservedJson | null;
  /** Why nothing ran for this target (the static result stands). */
  error?: string;
  /** PID 1's command as it ran. */
  command?: string;
}

export interface CliLiveOptions {
  model?: DockerfileModel;
  /** Build context of a Dockerfile (its folder), or the folder of a Compose file / manifest. */
  contextDir: string;
  timeScale?: number;
  settleMs?: number;
  /** Progress and interrupt messages (stderr). */
  err: (s: string) => void;
  /** Display name of a chain's target. */
  label: (c: LaunchChain) => string;
}

const SIGNALS: Array<[NodeJS.Signals, number]> = [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]];

export async function runChainsLive(chains: LaunchChain[], o: CliLiveOptions): Promise<{ outcomes: LiveOutcome[]; interruptedBy?: number }> {
  const ac = new AbortController();
  let interruptedBy: number | undefined;
  const handlers = SIGNALS.map(([name, no]) => {
    const h = () => {
      if (interruptedBy !== undefined) process.exit(128 + no); // a second interrupt: the exit hook kills what is left
      interruptedBy = no;
      o.err(`stopcheck: ${name}: stopping the live run (everything it started is killed)`);
      ac.abort();
    };
    process.on(name, h);
    return [name, h] as const;
  });
  const outcomes: LiveOutcome[] = [];
  try {
    let isolation: LiveIsolation | undefined;
    let detail = '';
    for (const chain of chains) {
      if (ac.signal.aborted) {
        outcomes.push({ observed: null, error: 'interrupted before this target ran' });
        continue;
      }
      const plan = planLive(chain, { contextDir: o.contextDir, model: o.model });
      if ('error' in plan) {
        outcomes.push({ observed: null, error: plan.error });
        continue;
      }
      if (isolation === undefined) {
        const a = await liveAvailable();
        isolation = a.isolation;
        detail = a.detail;
      }
      const command = displayCommand(plan.argv);
      o.err(`stopcheck: running ${o.label(chain)} live (${isolation}): ${command}${plan.cwd !== '/' ? ` in ${plan.cwd}` : ''}`);
      if (isolation === 'process-group') o.err(`stopcheck: ${detail}`);
      const res = await runLive(plan, {
        timeScale: o.timeScale, settleMs: o.settleMs, signal: ac.signal, staticVerdict: chain.outcome.verdict, isolation,
      });
      outcomes.push({ observed: observedJson(res), command });
    }
  } finally {
    for (const [name, h] of handlers) process.removeListener(name, h);
  }
  return { outcomes, interruptedBy };
}
