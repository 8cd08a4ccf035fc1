import type { ToolId } from '../options.ts';
import type { ProcessRegistry } from '../processes.ts';

export interface SessionSpec {
  /** Fresh, empty directory owned by this session. */
  workDir: string;
  /** Number of destination replicas (fan-out); 1 for everything else. */
  destinations: number;
  registry: ProcessRegistry;
  /** Register a long-lived process started outside this session (sshd) for RSS sampling. */
  trackExisting: (pid: number, role: string) => void;
}

/** One running instance of a tool: a source directory and its replicas. */
export interface SyncSession {
  readonly source: string;
  readonly destinations: readonly string[];
  /**
   * For hub-and-spoke tools: the process whose TCP sockets are the client
   * links, so the busiest single link can be reported besides the total.
   */
  readonly linkOwnerPid?: number;
  /**
   * Make the destinations catch up with the source. Continuous tools (which
   * watch the source themselves) do nothing; rsync runs here, inside the
   * timed interval.
   */
  propagate(): Promise<void>;
  /**
   * Tool-specific "I am in sync" after the trees match (Syncthing's
   * completion API). Resolves with the number of queries it took (0 when
   * the tool has no such signal); throws on timeout.
   */
  confirm(deadline: number): Promise<number>;
  /** Throws if a process of this session died, so waits fail fast with its log. */
  assertAlive(): Promise<void>;
  close(): Promise<void>;
}

export interface ToolDriver {
  readonly id: ToolId;
  readonly label: string;
  /** Whether the tool notices changes by itself (latency is then end to end). */
  readonly continuous: boolean;
  /** Whether the fan-out workload (many replicas) is supported. */
  readonly fanout: boolean;
  /** Human-readable version for the machine section of the report. */
  version(): Promise<string>;
  /** Once before any session (e.g. start sshd); may throw TOOL_UNAVAILABLE. */
  prepare(benchDir: string, registry: ProcessRegistry): Promise<void>;
  openSession(spec: SessionSpec): Promise<SyncSession>;
  dispose(): Promise<void>;
}
