// The run page alone on a Node http server over a file store: what `npm start` adds to Probot for the
// page, without GitHub. bench/page.ts runs it as a child process to measure its memory on its own.
import { createServer } from "node:http";
import { FileStore } from "../../src/storage/file-store.js";
import { createRunPageHandler, toNodeHandler } from "../../src/run-page/create-run-page-handler.js";
import { loadPageAssets } from "../../src/run-page/page-assets.js";

const store = new FileStore(process.env.BENCH_STORE_DIR!);
const handler = toNodeHandler(
  createRunPageHandler({ store, settings: { key: Buffer.from(process.env.BENCH_PAGE_KEY!), publicUrl: null, ttlSeconds: 3600 }, assets: loadPageAssets }),
  (error) => console.error(error),
);
const server = createServer((req, res) => {
  void handler(req, res).then((answered) => {
    if (!answered) res.writeHead(404).end();
  });
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  console.log(JSON.stringify({ port }));
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
