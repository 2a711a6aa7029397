// Where the coordinator listens and the workers dial: a unix socket in the temp
// directory named per user (like the course's /var/tmp/824-mr-<uid>), or TCP when a
// flag asks for it, so that workers on other machines sharing the files can join.
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export type Endpoint =
  | { kind: "unix"; path: string }
  | { kind: "tcp"; host: string; port: number };

/** The course's per-user socket name, in this machine's temp directory. */
export function coordinatorSock(): string {
  const who = typeof process.getuid === "function" ? String(process.getuid()) : userInfo().username;
  return join(tmpdir(), `824-mr-${who}`);
}

export class EndpointError extends Error {}

/**
 * Parses "host:port", ":port" or "port". An empty host means every interface when
 * listening and this machine when dialling.
 */
export function parseTcp(spec: string): Endpoint {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(spec.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new EndpointError(`--tcp wants [host:]port with a port in 1..65535, got ${JSON.stringify(spec)}`);
  }
  const host = (m[1] ?? "").replace(/^\[(.*)\]$/, "$1");
  return { kind: "tcp", host, port };
}

export interface EndpointOptions {
  socket?: string;
  tcp?: string;
}

/** CLI flags first, then MR_SOCKET / MR_TCP from the environment, then the default. */
export function endpointFrom(opts: EndpointOptions, env: NodeJS.ProcessEnv = process.env): Endpoint {
  const socket = opts.socket ?? (opts.tcp === undefined ? env.MR_SOCKET : undefined);
  const tcp = opts.tcp ?? (socket === undefined ? env.MR_TCP : undefined);
  if (socket !== undefined && tcp !== undefined) {
    throw new EndpointError("give either --socket or --tcp, not both");
  }
  if (tcp !== undefined && tcp !== "") return parseTcp(tcp);
  if (socket !== undefined && socket !== "") return { kind: "unix", path: socket };
  return { kind: "unix", path: coordinatorSock() };
}

export function describeEndpoint(e: Endpoint): string {
  return e.kind === "unix" ? `unix:${e.path}` : `tcp:${e.host === "" ? "*" : e.host}:${e.port}`;
}

// The coordinator and worker programs choose the endpoint once, before the lab code
// (MakeCoordinator, Worker) serves or dials it.
let current: Endpoint | undefined;

export function setCoordinatorEndpoint(e: Endpoint): void {
  current = e;
}

export function coordinatorEndpoint(): Endpoint {
  current ??= endpointFrom({});
  return current;
}
