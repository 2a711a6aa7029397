// make playground-serve: the built playground over http://127.0.0.1 (the page needs no
// server: this only hands out the folder's files, for browsers or hosts that prefer http
// to file://). Node's own http module; GET and HEAD of files inside the folder, nothing else.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { Command } from "commander";

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css", ".json": "application/json" };

const o = new Command("playground-serve")
  .option("--dir <dir>", "the built site", "build/playground")
  .option("--port <n>", "port on 127.0.0.1", "8824")
  .parse()
  .opts<{ dir: string; port: string }>();
const root = path.resolve(o.dir);
if (!existsSync(path.join(root, "index.html"))) {
  process.stderr.write(`error: no playground in ${o.dir}: run make playground first\n`);
  process.exit(2);
}
const port = Number(o.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  process.stderr.write(`error: --port ${o.port}: want an integer 1-65535\n`);
  process.exit(2);
}

createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const rel = decodeURIComponent(url.pathname) === "/" ? "index.html" : decodeURIComponent(url.pathname).slice(1);
  const file = path.resolve(root, rel);
  if ((req.method !== "GET" && req.method !== "HEAD") || !file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(req.method === "GET" || req.method === "HEAD" ? 404 : 405).end();
    return;
  }
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
}).listen(port, "127.0.0.1", () => {
  process.stdout.write(`playground at http://127.0.0.1:${port}/ (Ctrl-C stops)\n`);
});
