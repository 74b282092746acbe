import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A real HTTP server speaking the OpenAI wire format for `POST /v1/embeddings`, so the embeddings
 * adapter is tested through the SDK and the network stack, never reaching the network.
 *
 * Its vectors are deterministic: a hashed bag of folded words (lower case, no tone marks, đ → d),
 * normalised to unit length, so texts sharing words are close in cosine distance.
 */

export type FakeOpenAIMode =
  | { kind: "ok" }
  /** Answer with an OpenAI-style error body (500 unless told). */
  | { kind: "error"; status?: number }
  /** Answer correctly, but only after `delayMs`. */
  | { kind: "slow"; delayMs: number }
  /**
   * Answer 200 with a body the client must reject: vectors that are not numbers (default), one vector
   * fewer than inputs, vectors of different lengths, or a body that is not JSON at all.
   */
  | { kind: "malformed"; shape?: "not-numbers" | "missing-vector" | "ragged" | "not-json" };

export interface FakeOpenAIOptions {
  mode?: FakeOpenAIMode;
  /** Vector length when the request does not ask for `dimensions`. Default 64. */
  dimensions?: number;
  /** Answer the vectors in reverse order (with correct `index`), as a server may. */
  reverseOrder?: boolean;
  /** Ignore a request's `dimensions`, as models that cannot shorten their vectors do. */
  ignoreDimensions?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed body, or undefined when it was not JSON. */
  body: unknown;
  /** The inputs of an embeddings request, always as a list. */
  input: string[];
}

export interface FakeOpenAI {
  /** The base URL to give the SDK, ending in /v1. */
  url: string;
  /** Every request received, in order (a live array: `requests.length` is the count). */
  requests: RecordedRequest[];
  setMode(mode: FakeOpenAIMode): void;
  close(): Promise<void>;
}

/** Lower case, tone marks and other combining marks removed, đ → d. */
export function foldWords(text: string): string[] {
  return text
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/đ/g, "d")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** FNV-1a, 32 bits: stable across runs and platforms. */
function hash(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    h ^= word.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The vector the fake answers for a text: hashed bag of folded words, unit length. */
export function fakeEmbedding(text: string, dimensions = 64): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const w of foldWords(text)) v[hash(w) % dimensions]! += 1;
  const norm = Math.hypot(...v);
  // An empty text still gets a unit vector: a zero vector has no cosine distance.
  if (norm === 0) {
    v[0] = 1;
    return v;
  }
  return v.map((x) => x / norm);
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  let mode: FakeOpenAIMode = options.mode ?? { kind: "ok" };
  const defaultDimensions = options.dimensions ?? 64;
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.writableEnded) return; // the client gave up (timeout)
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(text);
  }

  function apiError(res: ServerResponse, status: number, message: string, type = "invalid_request_error"): void {
    // retry-after-ms keeps the SDK's one retry quick in tests; the real API sends it too.
    send(res, status, { error: { message, type, param: null, code: null } }, { "retry-after-ms": "10" });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const b = (body ?? {}) as { model?: unknown; input?: unknown; dimensions?: unknown };
    const input = typeof b.input === "string" ? [b.input] : Array.isArray(b.input) ? b.input.map(String) : [];
    const path = (req.url ?? "/").split("?")[0]!;
    requests.push({ method: req.method ?? "", path, headers: req.headers, body, input });

    if (req.method !== "POST" || path !== "/v1/embeddings") return apiError(res, 404, `Unknown request URL: ${req.method} ${path}`);
    if (typeof b.model !== "string" || input.length === 0) {
      return apiError(res, 400, "'model' and a non-empty 'input' are required");
    }

    const current = mode;
    if (current.kind === "error") return apiError(res, current.status ?? 500, "The server had an error while processing your request.", "server_error");

    const asked = !options.ignoreDimensions && typeof b.dimensions === "number" && b.dimensions > 0;
    const dimensions = asked ? (b.dimensions as number) : defaultDimensions;
    let data = input.map((text, index) => ({ object: "embedding", index, embedding: fakeEmbedding(text, dimensions) as unknown }));
    if (current.kind === "malformed") {
      const shape = current.shape ?? "not-numbers";
      if (shape === "not-json") return send(res, 200, '{"object":"list","data":[{"embedding":[0.1,');
      if (shape === "not-numbers") data = data.map((d) => ({ ...d, embedding: (d.embedding as number[]).map(String) }));
      if (shape === "missing-vector") data = data.slice(1);
      if (shape === "ragged") data = data.map((d, i) => (i === 0 ? { ...d, embedding: (d.embedding as number[]).slice(1) } : d));
    }
    if (options.reverseOrder) data = data.reverse();
    const tokens = input.reduce((n, t) => n + foldWords(t).length, 0);
    const response = { object: "list", data, model: b.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };

    if (current.kind === "slow") {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, current.delayMs);
        timers.add(t);
      });
    }
    send(res, 200, response);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => apiError(res, 500, String(error), "server_error"));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setMode(next) {
      mode = next;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      // Keep-alive connections from the client would otherwise hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
