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
  /** The file or folder the operation failed on, when there is one. */
  readonly path: string | undefined;
  constructor(message: string, options?: { cause?: unknown; path?: string }) {
    super(message, options);
    this.name = "OperationError";
    this.path = options?.path;
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


const SYSTEM_REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
};

/**
 * A file system error the user can act on (a target they cannot write, a full disk) as an OperationError naming
 * the path and the reason; null for anything else (a bug: shown as internal).
 */
export function fromSystemError(error: unknown): OperationError | null {
  const system = error as NodeJS.ErrnoException;
  const reason = system && typeof system.code === "string" ? SYSTEM_REASONS[system.code] : undefined;
  if (!reason || typeof system.path !== "string") return null;
  const folder = system.path.replace(/\/[^/]*$/, "") || "/";
  // open: reading or writing that file (its own permissions count); the others change its folder.
  const opened = system.syscall === "open";
  const hint =
    system.code === "EACCES" || system.code === "EPERM"
      ? opened
        ? ` (${system.code}): check the file's owner and permissions and its folder's (ls -l "${system.path}"; ls -ld "${folder}")`
        : ` (${system.code}): run as the user who owns ${folder}, or fix its permissions (ls -ld "${folder}")`
      : ` (${system.code})`;
  const verb = opened ? "open" : ["mkdir", "rename", "write", "unlink", "rmdir"].includes(system.syscall ?? "") ? "write" : "use";
  return new OperationError(`cannot ${verb} ${system.path}: ${reason}${hint}; nothing was changed`, { cause: error, path: system.path });
}
