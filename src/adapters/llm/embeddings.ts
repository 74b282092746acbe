import OpenAI, { APIConnectionTimeoutError, APIError } from "openai";
import { z } from "zod";

/** The stable codes an embeddings failure carries (at the start of its message, and as `code`). */
export type EmbeddingsErrorCode = "llm:timeout" | "llm:bad_response" | "llm:unavailable";

/** Broken infrastructure, not an expected outcome: the caller falls back to lexical search. */
export class EmbeddingsError extends Error {
  readonly code: EmbeddingsErrorCode;
  constructor(code: EmbeddingsErrorCode, detail: string, options?: { cause?: unknown }) {
    super(`${code}: ${detail}`, options);
    this.name = "EmbeddingsError";
    this.code = code;
  }
}

export interface EmbeddingsOptions {
  /** An OpenAI-compatible endpoint, e.g. "http://127.0.0.1:8080/v1". */
  baseURL: string;
  /** Sent as `Authorization: Bearer …`; local servers often need none. */
  apiKey?: string;
  model: string;
  /** Per request (the SDK retries once more on timeouts and 5xx). Default 5000 ms. */
  timeoutMs?: number;
  /** Asked of models that can shorten their vectors; every vector must then have this length. */
  dimensions?: number;
}

export interface Embeddings {
  readonly model: string;
  /** One vector per text, in the order given. */
  embed(texts: string[]): Promise<number[][]>;
}

/** Inputs per request: small enough for local servers' batch limits. */
export const EMBEDDINGS_BATCH = 64;

const EmbeddingsResponse = z.object({
  data: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      embedding: z.array(z.number()).min(1),
    }),
  ),
});

/**
 * Embeddings from any OpenAI-compatible endpoint. Asks for floats, not base64 (which some compatible
 * servers do not support), and checks the answer's shape rather than trusting it, so a misbehaving
 * server fails here with `llm:bad_response` instead of putting garbage into the vector index.
 */
export function createEmbeddings(options: EmbeddingsOptions): Embeddings {
  const timeoutMs = options.timeoutMs ?? 5000;
  const client = new OpenAI({
    baseURL: options.baseURL,
    // The SDK insists on a credential; without a key, send no Authorization header at all.
    apiKey: options.apiKey || "none",
    ...(options.apiKey ? {} : { defaultHeaders: { Authorization: null } }),
    // Everything explicit, so the SDK reads nothing from the environment (only main.ts reads config).
    adminAPIKey: null,
    organization: null,
    project: null,
    timeout: timeoutMs,
    maxRetries: 1,
  });
  const where = safeHost(options.baseURL);

  async function embedBatch(input: string[]): Promise<number[][]> {
    let raw: unknown;
    try {
      raw = await client.embeddings.create({
        model: options.model,
        input,
        encoding_format: "float",
        ...(options.dimensions !== undefined ? { dimensions: options.dimensions } : {}),
      });
    } catch (error) {
      throw toEmbeddingsError(error, where, timeoutMs);
    }
    const parsed = EmbeddingsResponse.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EmbeddingsError("llm:bad_response", `embeddings from ${where}: ${issue?.path.join(".")}: ${issue?.message}`, {
        cause: parsed.error,
      });
    }
    const data = parsed.data.data;
    if (data.length !== input.length) {
      throw new EmbeddingsError("llm:bad_response", `embeddings from ${where}: ${data.length} vectors for ${input.length} inputs`);
    }
    // Servers may answer out of order; `index` says which input each vector belongs to.
    const vectors: (number[] | undefined)[] = new Array(input.length);
    for (const item of data) {
      if (item.index >= input.length || vectors[item.index] !== undefined) {
        throw new EmbeddingsError("llm:bad_response", `embeddings from ${where}: unexpected or repeated index ${item.index}`);
      }
      vectors[item.index] = item.embedding;
    }
    return vectors as number[][];
  }

  return {
    model: options.model,
    async embed(texts: string[]): Promise<number[][]> {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += EMBEDDINGS_BATCH) {
        out.push(...(await embedBatch(texts.slice(i, i + EMBEDDINGS_BATCH))));
      }
      const length = options.dimensions ?? out[0]?.length;
      const odd = out.findIndex((v) => v.length !== length);
      if (odd >= 0) {
        throw new EmbeddingsError(
          "llm:bad_response",
          `embeddings from ${where}: vector ${odd} has ${out[odd]!.length} dimensions, expected ${length}`,
        );
      }
      return out;
    },
  };
}

function toEmbeddingsError(error: unknown, where: string, timeoutMs: number): EmbeddingsError {
  if (error instanceof APIConnectionTimeoutError) {
    return new EmbeddingsError("llm:timeout", `embeddings from ${where} took longer than ${timeoutMs} ms`, { cause: error });
  }
  if (error instanceof APIError) {
    const status = error.status !== undefined ? `HTTP ${error.status}` : "no connection";
    return new EmbeddingsError("llm:unavailable", `embeddings from ${where} failed (${status})`, { cause: error });
  }
  // A body that is not JSON at all fails in the SDK's parser.
  if (error instanceof SyntaxError) {
    return new EmbeddingsError("llm:bad_response", `embeddings from ${where}: the body is not JSON`, { cause: error });
  }
  return new EmbeddingsError("llm:unavailable", `embeddings from ${where} failed: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

/** The endpoint's host, for messages: never its credentials or query. */
function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the embeddings endpoint";
  }
}
