import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createEmbeddings, EmbeddingsError } from "../../../src/adapters/llm/embeddings.ts";
import { fakeEmbedding, startFakeOpenAI, type FakeOpenAI } from "../../fakes/fake-openai-server.ts";

const MODEL = "fake-embed-vi";

function cosine(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + x * b[i]!, 0);
}

/** The rejection of `promise`, checked to be an Error whose message starts with `code`. */
async function failure(promise: Promise<unknown>, code: string): Promise<EmbeddingsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(new RegExp(`^${code}\\b`));
  expect((error as EmbeddingsError).code).toBe(code);
  return error as EmbeddingsError;
}

describe("embeddings from an OpenAI-compatible endpoint", () => {
  let fake: FakeOpenAI;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.setMode({ kind: "ok" });
  });

  it("embeds a batch in the order given, asking for floats, with close vectors for texts sharing words", async () => {
    const embeddings = createEmbeddings({ baseURL: fake.url, apiKey: "sk-test", model: MODEL });
    const texts = ["Đăng ký khai sinh", "Cấp đổi thẻ căn cước", "dang ky khai sinh cho con"];
    const vectors = await embeddings.embed(texts);

    expect(embeddings.model).toBe(MODEL);
    expect(vectors).toEqual(texts.map((t) => fakeEmbedding(t)));
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.body).toMatchObject({ model: MODEL, input: texts, encoding_format: "float" });
    expect(cosine(vectors[0]!, vectors[2]!)).toBeGreaterThan(0.7);
    expect(cosine(vectors[0]!, vectors[1]!)).toBeLessThan(0.3);
  });

  it("puts vectors back in input order when the server answers them out of order", async () => {
    const shuffling = await startFakeOpenAI({ reverseOrder: true });
    try {
      const texts = ["khai sinh", "kết hôn", "khai tử"];
      const vectors = await createEmbeddings({ baseURL: shuffling.url, model: MODEL }).embed(texts);
      expect(vectors).toEqual(texts.map((t) => fakeEmbedding(t)));
    } finally {
      await shuffling.close();
    }
  });

  it("splits more than 64 inputs into requests of at most 64, keeping the order", async () => {
    const texts = Array.from({ length: 150 }, (_, i) => `thủ tục số ${i}`);
    const vectors = await createEmbeddings({ baseURL: fake.url, model: MODEL }).embed(texts);

    expect(fake.requests.map((r) => r.input.length)).toEqual([64, 64, 22]);
    expect(fake.requests.flatMap((r) => r.input)).toEqual(texts);
    expect(vectors).toEqual(texts.map((t) => fakeEmbedding(t)));
  });

  it("makes no request for no texts", async () => {
    expect(await createEmbeddings({ baseURL: fake.url, model: MODEL }).embed([])).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it("passes requested dimensions to the server", async () => {
    const vectors = await createEmbeddings({ baseURL: fake.url, model: MODEL, dimensions: 16 }).embed(["khai sinh"]);
    expect(fake.requests[0]!.body).toMatchObject({ dimensions: 16 });
    expect(vectors[0]).toHaveLength(16);
  });

  it("sends the API key as a bearer token, and no Authorization header without one", async () => {
    await createEmbeddings({ baseURL: fake.url, apiKey: "sk-test-123", model: MODEL }).embed(["khai sinh"]);
    await createEmbeddings({ baseURL: fake.url, model: MODEL }).embed(["khai sinh"]);

    expect(fake.requests[0]!.headers.authorization).toBe("Bearer sk-test-123");
    expect(fake.requests[1]!.headers.authorization).toBeUndefined();
  });

  it("rejects with llm:unavailable when the server answers 500, after one retry, keeping the cause", async () => {
    fake.setMode({ kind: "error" });
    const error = await failure(createEmbeddings({ baseURL: fake.url, model: MODEL }).embed(["khai sinh"]), "llm:unavailable");

    expect(error.message).toContain("HTTP 500");
    expect(error.cause).toBeInstanceOf(Error);
    expect(fake.requests).toHaveLength(2);
  });

  it("rejects with llm:unavailable when nothing listens at the endpoint", async () => {
    const gone = await startFakeOpenAI();
    const url = gone.url;
    await gone.close();
    await failure(createEmbeddings({ baseURL: url, model: MODEL, timeoutMs: 1000 }).embed(["khai sinh"]), "llm:unavailable");
  });

  it("rejects with llm:timeout when the server is slower than timeoutMs", async () => {
    fake.setMode({ kind: "slow", delayMs: 2000 });
    const started = Date.now();
    const error = await failure(createEmbeddings({ baseURL: fake.url, model: MODEL, timeoutMs: 150 }).embed(["khai sinh"]), "llm:timeout");

    expect(error.cause).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each([
    ["vectors that are not numbers", "not-numbers"],
    ["one vector fewer than inputs", "missing-vector"],
    ["vectors of different lengths", "ragged"],
    ["a body that is not JSON", "not-json"],
  ] as const)("rejects with llm:bad_response on %s", async (_, shape) => {
    fake.setMode({ kind: "malformed", shape });
    await failure(createEmbeddings({ baseURL: fake.url, model: MODEL }).embed(["khai sinh", "kết hôn"]), "llm:bad_response");
  });

  it("rejects with llm:bad_response when the server ignores the requested dimensions", async () => {
    const stubborn = await startFakeOpenAI({ ignoreDimensions: true });
    try {
      const embeddings = createEmbeddings({ baseURL: stubborn.url, model: MODEL, dimensions: 16 });
      const error = await failure(embeddings.embed(["khai sinh"]), "llm:bad_response");
      expect(error.message).toContain("64 dimensions, expected 16");
    } finally {
      await stubborn.close();
    }
  });
});
