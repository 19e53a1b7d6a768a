// Suppression comments, the same in Dockerfiles, shell scripts and YAML:
//   # stopcheck ignore=STOP101,STOP105   on the line (or comment lines) just above the finding
//   # stopcheck ignore-file               anywhere in the file: no findings for it
//   # stopcheck ignore-file=STOP107       anywhere: no findings of these rules in the file
import type { Finding } from './types';

const LINE_RE = /#\s*stopcheck\s+ignore=([A-Za-z0-9_,\s]+)/;
const FILE_RE = /#\s*stopcheck\s+ignore-file(?:=([A-Za-z0-9_,\s]+))?/;

export interface Suppressions {
  all: boolean;
  fileRules: Set<string>;
  /** line (0-based) of a finding → rules suppressed there */
  byLine: Map<number, Set<string>>;
}

function ids(s: string): string[] {
  return s.split(/[\s,]+/).filter(Boolean).map((x) => x.toUpperCase());
}

const NONE: Suppressions = { all: false, fileRules: new Set(), byLine: new Map() };

/** The suppressions a text carries. The result may be shared: read it, never change it. */
export function readSuppressions(text: string): Suppressions {
  // Both comment forms contain the word; most files carry none (a scan of every line is not free).
  if (!text.includes('stopcheck')) return NONE;
  const lines = text.split(/\r?\n|\r/);
  const out: Suppressions = { all: false, fileRules: new Set(), byLine: new Map() };
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (!t.startsWith('#')) {
      // A trailing comment suppresses findings on its own line.
      const trailing = LINE_RE.exec(t);
      if (trailing && /\s#/.test(t)) {
        const set = out.byLine.get(i) ?? new Set<string>();
        ids(trailing[1]).forEach((x) => set.add(x));
        out.byLine.set(i, set);
      }
      continue;
    }
    const f = FILE_RE.exec(t);
    if (f) {
      if (f[1]) ids(f[1]).forEach((x) => out.fileRules.add(x));
      else out.all = true;
      continue;
    }
    const m = LINE_RE.exec(t);
    if (!m) continue;
    // Applies to the next line that is not a comment or blank.
    let j = i + 1;
    while (j < lines.length && (lines[j].trim().startsWith('#') || lines[j].trim() === '')) j++;
    const set = out.byLine.get(j) ?? new Set<string>();
    ids(m[1]).forEach((x) => set.add(x));
    out.byLine.set(j, set);
  }
  return out;
}

export function isSuppressed(s: Suppressions, f: Finding): boolean {
  if (s.all || s.fileRules.has(f.rule)) return true;
  return s.byLine.get(f.range.start.line)?.has(f.rule) ?? false;
}
