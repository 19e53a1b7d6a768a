import type { DockerfileRule, Report } from './rule';
import { runByRelated, runByText } from './rule';

export const STOP208: DockerfileRule = {
  meta: {
    id: 'STOP208', name: 'script-cannot-start', family: 'script', defaultSeverity: 'error', fixable: false,
    summary: 'A start script with Windows (CRLF) line endings, or without a #! line while it is run directly: the container fails to start.',
  },
  check({ chains }) {
    const out: Report[] = [];
    const seen = new Set<string>();
    for (const chain of chains) {
      for (const hop of chain.scripts) {
        const a = hop.analysis;
        const problem = a.crlf ? 'crlf' : hop.direct && !a.shebang ? 'shebang' : undefined;
        if (!problem) continue;
        const line = hop.source.lineOffset;
        const lineLen = a.lines.lineText(0).replace(/\r$/, '').length;
        const key = `${hop.source.file}:${line}:${problem}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const msg = problem === 'crlf'
          ? `${hop.imagePath} has Windows (CRLF) line endings: ${hop.direct && a.shebang ? `the kernel looks for the interpreter "${a.shebang.interpreter}\\r" and the container fails with "no such file or directory"` : 'every command ends in a carriage return and fails'}. Save it with LF line endings (and add \`*.sh text eol=lf\` to .gitattributes).`
          : `${hop.imagePath} has no #! line but is started directly: the container fails with "exec format error". Add \`#!/bin/sh\` as its first line, or run it as \`sh ${hop.imagePath}\`.`;
        out.push({ file: hop.source.file, range: { start: { line, character: 0 }, end: { line, character: lineLen } }, message: msg + runByText(hop), related: runByRelated(hop) });
        if (hop.runBy && hop.runBy.file !== hop.source.file) {
          out.push({ file: hop.runBy.file, range: hop.runBy.range, message: `The container cannot start: ${msg}`, related: [{ file: hop.source.file, range: { start: { line, character: 0 }, end: { line, character: lineLen } }, message: `${hop.imagePath} line 1` }] });
        }
      }
    }
    return out;
  },
};
