// Plain data shared by the whole core. Positions are LSP-style: 0-based lines, UTF-16 columns,
// exclusive ends. The core never imports vscode or vscode-languageserver.

export type Severity = 'error' | 'warning' | 'info';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A place in a file. `file` is an absolute path with `/` separators. */
export interface Location {
  file: string;
  range: Range;
}

export interface RelatedInfo extends Location {
  message: string;
}

export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  preferred?: boolean;
}

export interface Finding {
  rule: string;
  severity: Severity;
  file: string;
  range: Range;
  message: string;
  related: RelatedInfo[];
  fixes: Fix[];
}

export type RuleFamily = 'dockerfile' | 'script' | 'kubernetes' | 'compose' | 'app';

export interface RuleMeta {
  /** Stable id, `STOP` and three digits. Never reused. */
  id: string;
  /** Short kebab-case name. */
  name: string;
  family: RuleFamily;
  defaultSeverity: Severity;
  /** One sentence: what goes wrong. */
  summary: string;
  fixable: boolean;
}

export const DOCS_BASE = 'https://github.com/stopcheck/stopcheck/blob/main/docs/rules/';

export function docsUrl(ruleId: string): string {
  return `${DOCS_BASE}${ruleId}.md`;
}

/** Read access to files: the CLI reads the disk, the server overlays open editors. */
export interface FileAccess {
  /** Text of the file, or undefined when it does not exist or cannot be read as text. */
  read(file: string): string | undefined;
  /** Whether a path exists and is a regular file or directory. */
  exists(file: string): boolean;
  /** Directory listing (names only), or undefined. */
  list?(dir: string): string[] | undefined;
  /** Whether the path is a directory. */
  isDirectory?(file: string): boolean;
}

export function range(sl: number, sc: number, el: number, ec: number): Range {
  return { start: { line: sl, character: sc }, end: { line: el, character: ec } };
}

export function comparePos(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}
