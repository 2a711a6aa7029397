// JSON over HTTP for the coordinator. Every request is checked against the method
// table; anything malformed gets an error reply and the server keeps serving.
import { createConnection } from "node:net";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { lstatSync, unlinkSync } from "node:fs";
import { noteActivity } from "../framework/activity.js";
import { z } from "zod";
import { coordinatorEndpoint, describeEndpoint, type Endpoint } from "./endpoint.js";
import { MAX_BODY_BYTES, PING_PATH, type ArgsOut, type Handlers, type MethodTable } from "./methods.js";

export class ServeError extends Error {}

export interface RpcServer {
  readonly endpoint: Endpoint;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...(status === 413 ? { connection: "close" } : {}),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        // Discard the rest unread; the reply closes the connection.
        req.removeAllListeners("data");
        req.resume();
        reject(new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function dispatch<M extends MethodTable>(
  table: M,
  impl: Handlers<M>,
  req: IncomingMessage,
): Promise<{ status: number; body: unknown }> {
  const url = req.url ?? "";
  if (url === PING_PATH) return { status: 200, body: { ok: true } };
  const m = /^\/rpc\/([^/?]+)$/.exec(url);
  if (!m) throw new HttpError(404, `no such path ${JSON.stringify(url)}; RPCs are POST /rpc/<Method>`);
  const name = decodeURIComponent(m[1]!);
  if (!Object.hasOwn(table, name)) {
    throw new HttpError(404, `unknown method ${JSON.stringify(name)}; known: ${Object.keys(table).join(", ")}`);
  }
  if (req.method !== "POST") throw new HttpError(405, `${name} wants POST, got ${req.method ?? "?"}`);
  const text = await readBody(req);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `malformed JSON for ${name}: ${(e as Error).message}`);
  }
  const spec = table[name]!;
  const args = spec.args.safeParse(json);
  if (!args.success) throw new HttpError(400, `invalid arguments for ${name}: ${z.prettifyError(args.error)}`);
  let out: unknown;
  try {
    out = await impl[name as keyof M](args.data as ArgsOut<M, keyof M>);
  } catch (e) {
    throw new HttpError(500, `${name} failed: ${(e as Error).message}`);
  }
  const reply = spec.reply.safeParse(out);
  if (!reply.success) throw new HttpError(500, `${name} produced an invalid reply: ${z.prettifyError(reply.error)}`);
  noteActivity(name); // for the graded script's watch (mr/framework/activity.ts)
  return { status: 200, body: reply.data };
}

/** Is something accepting connections on this unix socket? */
function socketIsLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Removes a stale socket file, and refuses one that a live process still serves. */
async function claimSocketPath(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new ServeError(`${path} exists and is not a socket; remove it or choose another --socket`);
  if (await socketIsLive(path)) {
    throw new ServeError(
      `socket ${path} is in use by a running coordinator; stop it first, or give this one another --socket`,
    );
  }
  unlinkSync(path);
}

function listen(server: Server, e: Endpoint): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const where = describeEndpoint(e);
      reject(
        new ServeError(
          err.code === "EADDRINUSE" ? `${where} is already in use by another process` : `cannot listen on ${where}: ${err.message}`,
        ),
      );
    };
    server.once("error", onError);
    const done = (): void => {
      server.off("error", onError);
      resolve();
    };
    if (e.kind === "unix") server.listen(e.path, done);
    else if (e.host === "") server.listen(e.port, done);
    else server.listen(e.port, e.host, done);
  });
}

/** Serves impl's methods at the endpoint until close() or process exit. */
export async function serve<M extends MethodTable>(
  table: M,
  impl: Handlers<M>,
  endpoint: Endpoint = coordinatorEndpoint(),
): Promise<RpcServer> {
  if (endpoint.kind === "unix") await claimSocketPath(endpoint.path);
  const server = createServer((req, res) => {
    dispatch(table, impl, req).then(
      (r) => send(res, r.status, r.body),
      (e: unknown) => {
        const status = e instanceof HttpError ? e.status : 500;
        const message = e instanceof Error ? e.message : String(e);
        process.stderr.write(`coordinator: rejected request ${req.method ?? "?"} ${req.url ?? "?"}: ${message}\n`);
        if (!res.headersSent && !res.destroyed) send(res, status, { error: message });
      },
    );
  });
  // Unparsable HTTP: answer 400 and drop that connection only.
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  await listen(server, endpoint);
  // With port 0 the system picks one; report the real one.
  const addr = server.address();
  const bound: Endpoint = endpoint.kind === "tcp" && addr !== null && typeof addr === "object" ? { ...endpoint, port: addr.port } : endpoint;

  let closed = false;
  const unlink = (): void => {
    if (endpoint.kind !== "unix") return;
    try {
      unlinkSync(endpoint.path);
    } catch {
      // already gone
    }
  };
  // The socket file goes with the process, however it ends (short of SIGKILL).
  process.once("exit", unlink);
  return {
    endpoint: bound,
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        process.off("exit", unlink);
        server.close(() => resolve());
        server.closeAllConnections();
        unlink();
      }),
  };
}
