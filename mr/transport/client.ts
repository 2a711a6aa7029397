// The worker's side of the transport: one HTTP request per call, so a coordinator that
// has gone away shows up as an unreachable endpoint rather than a hung connection.
import { request, type RequestOptions } from "node:http";
import { z } from "zod";
import { RealClock } from "../../runtime/real-clock.js";
import { coordinatorEndpoint, describeEndpoint, type Endpoint } from "./endpoint.js";
import { methodPath, PING_PATH, type ArgsIn, type MethodTable, type ReplyOut } from "./methods.js";

export type CallResult<R> =
  | { ok: true; reply: R }
  /** reachable=false: nobody answered at the endpoint (the coordinator has exited). */
  | { ok: false; reachable: boolean; error: string };

/** No lab RPC takes long; past this the coordinator is taken to be wedged. */
const CALL_LIMIT_MS = 30_000;

interface RawReply {
  status: number;
  text: string;
}

function connectOptions(e: Endpoint): RequestOptions {
  if (e.kind === "unix") return { socketPath: e.path };
  return { host: e.host === "" ? "127.0.0.1" : e.host, port: e.port };
}

function exchange(e: Endpoint, method: string, path: string, body?: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...connectOptions(e),
        method,
        path,
        agent: false,
        timeout: CALL_LIMIT_MS,
        headers: body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${CALL_LIMIT_MS} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

function errorText(raw: RawReply): string {
  try {
    const j: unknown = JSON.parse(raw.text);
    if (typeof j === "object" && j !== null && "error" in j && typeof j.error === "string") return j.error;
  } catch {
    // not JSON: show the text itself
  }
  return raw.text === "" ? "(empty body)" : raw.text.slice(0, 500);
}

/** Errors that mean "no server there", as opposed to a server that misbehaved. */
function unreachable(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ECONNREFUSED" || code === "ECONNRESET" || code === "EPIPE" || code === "EHOSTUNREACH" || code === "ENOTSOCK";
}

/** Calls table[name] at the coordinator; arguments and reply are both validated. */
export async function call<M extends MethodTable, K extends keyof M & string>(
  table: M,
  name: K,
  args: ArgsIn<M, K>,
  endpoint: Endpoint = coordinatorEndpoint(),
): Promise<CallResult<ReplyOut<M, K>>> {
  const spec = table[name]!;
  const checked = spec.args.safeParse(args);
  if (!checked.success) {
    return { ok: false, reachable: true, error: `refusing to send invalid ${name} arguments: ${z.prettifyError(checked.error)}` };
  }
  let raw: RawReply;
  try {
    raw = await exchange(endpoint, "POST", methodPath(name), JSON.stringify(args));
  } catch (e) {
    return { ok: false, reachable: !unreachable(e), error: `${describeEndpoint(endpoint)}: ${(e as Error).message}` };
  }
  if (raw.status !== 200) return { ok: false, reachable: true, error: `${name}: HTTP ${raw.status}: ${errorText(raw)}` };
  let json: unknown;
  try {
    json = JSON.parse(raw.text);
  } catch (e) {
    return { ok: false, reachable: true, error: `${name}: malformed JSON reply: ${(e as Error).message}` };
  }
  const reply = spec.reply.safeParse(json);
  if (!reply.success) return { ok: false, reachable: true, error: `${name}: invalid reply: ${z.prettifyError(reply.error)}` };
  return { ok: true, reply: reply.data as ReplyOut<M, K> };
}

/** Is a coordinator answering at the endpoint? Resolves to an error text if not. */
export async function ping(endpoint: Endpoint = coordinatorEndpoint()): Promise<string | undefined> {
  try {
    const raw = await exchange(endpoint, "GET", PING_PATH);
    return raw.status === 200 ? undefined : `HTTP ${raw.status}: ${errorText(raw)}`;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Retries ping for up to limitMs, so that a worker started just before its coordinator
 * still joins. Resolves to undefined once it answers, else to the last error.
 */
export async function waitForCoordinator(limitMs: number, endpoint: Endpoint = coordinatorEndpoint()): Promise<string | undefined> {
  const clock = new RealClock();
  try {
    for (;;) {
      const err = await ping(endpoint);
      if (err === undefined) return undefined;
      if (clock.now() >= limitMs) return err;
      await clock.sleep(Math.min(200, Math.max(0, limitMs - clock.now())));
    }
  } finally {
    clock.stop();
  }
}
