/** A problem with one input field: `path` is the field (e.g. `scopes[2]`), `message` says the rule. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Base class of every error the CLI expects; anything else is a bug and shows a stack with DEBUG. */
export abstract class NexusError extends Error {
  abstract readonly exitCode: number;
  abstract readonly code: string;
}

/** Invalid input or usage. Exit 2; nothing on disk has changed. */
export class UsageError extends NexusError {
  readonly exitCode = 2;
  readonly code = "usage";
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** Files would overwrite work the tool does not own (hand edits, foreign files). Exit 1. */
export class ConflictError extends NexusError {
  readonly exitCode = 1;
  readonly code = "conflict";
  constructor(
    message: string,
    readonly files: string[],
  ) {
    super(message);
    this.name = "ConflictError";
  }
}

/** An operation failed for a reason other than input (I/O, a concurrent run). Exit 1. */
export class OperationError extends NexusError {
  readonly exitCode = 1;
  readonly code = "operation";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OperationError";
  }
}

/** The user cancelled at a prompt (Ctrl-C) or declined to write. Exit 130; nothing written. */
export class CancelledError extends NexusError {
  readonly exitCode = 130;
  readonly code = "cancelled";
  constructor(message = "cancelled; nothing was written") {
    super(message);
    this.name = "CancelledError";
  }
}

