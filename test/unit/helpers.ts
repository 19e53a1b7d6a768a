import { before } from 'node:test';
import { initParsers } from '../../server/src/core/runtime';
import { analyzeDockerfile, type AnalyzeOptions } from '../../server/src/core/analyze';
import type { Finding } from '../../server/src/core/types';
import type { DockerChain } from '../../server/src/core/dockerfile';
import { memFiles } from './memfs';

before(async () => {
  await initParsers();
});

export const DF = '/ws/Dockerfile';

export function lint(text: string, opts: AnalyzeOptions = {}): Finding[] {
  return analyzeDockerfile(DF, text, { files: memFiles('/ws', {}), ...opts }).findings;
}

export function rules(text: string, opts: AnalyzeOptions = {}): string[] {
  return lint(text, opts).map((f) => f.rule);
}

export function chain(text: string): DockerChain {
  const r = analyzeDockerfile(DF, text);
  const c = r.chains[r.chains.length - 1];
  if (!c) throw new Error('no chain');
  return c;
}
