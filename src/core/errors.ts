/** A problem with the user's input: reported as one line, exit code 2, never a stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export interface SourceLocation {
  file: string;
  /** JSON path, e.g. `model.heads` or `layersToKeep[2]`. */
  path: string;
  /** 1-based. */
  line: number;
  column: number;
  /** 0-based character offset and length of the offending value, for editor diagnostics. */
  offset: number;
  length: number;
}

export interface ConfigProblem {
  location: SourceLocation;
  message: string;
  /** A problem JSON Schema cannot express (cross-field rules, missing files): editors show these beside the schema's own. */
  semantic?: boolean;
}

export function formatProblem({ location, message }: ConfigProblem): string {
  return `${location.file}:${location.line}:${location.column} ${location.path || '(root)'}: ${message}`;
}

/** Config problems that know where they are. The message is the first; `problems` holds all of them. */
export class ConfigError extends UserError {
  constructor(readonly problems: ConfigProblem[]) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super(formatProblem(problems[0]) + more);
    this.name = 'ConfigError';
  }
}
