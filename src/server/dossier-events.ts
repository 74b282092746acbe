import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { DossierEventBatchSchema, describeEventProblems } from "../core/cases/event-schema.ts";
import type { DossierEvent, IngestResult } from "../core/cases/types.ts";

export const DOSSIER_EVENTS_PATH = "/api/v1/dossier-events";
/** Requests signed more than this long ago (or ahead) are refused: a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_S = 300;
const BODY_LIMIT = 2 * 1024 * 1024;

export interface DossierEventsOptions {
  /** The shared secret of the one-stop system (HMAC-SHA256 key). */
  secret: string;
  ingest(events: DossierEvent[]): Promise<IngestResult>;
  /** Milliseconds since the epoch (tests). */
  now?(): number;
}

/** hex HMAC-SHA256(secret, `${timestamp}.${rawBody}`): what `X-Signature: sha256=<hex>` carries. */
export function signDossierEvents(secret: string, timestamp: string | number, rawBody: string | Buffer): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex");
}

function verified(secret: string, now: number, timestamp: unknown, signature: unknown, raw: Buffer): boolean {
  if (typeof timestamp !== "string" || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_S) return false;
  if (typeof signature !== "string") return false;
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim());
  if (!m) return false;
  const expected = Buffer.from(signDossierEvents(secret, timestamp, raw), "hex");
  return timingSafeEqual(expected, Buffer.from(m[1]!, "hex"));
}

/**
 * `POST /api/v1/dossier-events`: signed batches of events from the one-stop system. The signature is
 * checked on the raw bytes before anything is parsed; then JSON and the schema (400 listing each problem
 * with its event index and field); then one ingest (200 with per-event outcomes; 503 if the database is
 * down). Replays are harmless: events are idempotent by id.
 */
export const dossierEventsPlugin: FastifyPluginAsync<DossierEventsOptions> = async (app: FastifyInstance, options) => {
  const now = options.now ?? Date.now;
  // Encapsulated: only this route sees raw bodies.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.post(DOSSIER_EVENTS_PATH, { bodyLimit: BODY_LIMIT }, async (req, reply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verified(options.secret, now(), req.headers["x-timestamp"], req.headers["x-signature"], raw)) {
      return reply.code(401).send({ error: "unauthorized" });
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch (error) {
      return reply.code(400).send({ error: "invalid_json", problems: [{ field: "", message: (error as Error).message }] });
    }
    const parsed = DossierEventBatchSchema.safeParse(json);
    if (!parsed.success) {
      return reply.code(400).send({ error: "invalid_events", problems: describeEventProblems(parsed.error) });
    }
    let result: IngestResult;
    try {
      result = await options.ingest(parsed.data.events);
    } catch (error) {
      req.log.error({ err: error }, "dossier events: ingest failed");
      return reply.code(503).send({ error: "unavailable" });
    }
    const count = (o: string) => result.results.filter((r) => r.outcome === o).length;
    return {
      applied: count("applied"),
      duplicates: count("duplicate"),
      stale: count("stale"),
      rejected: count("rejected"),
      unknownProcedures: result.unknownProcedures,
      notifications: result.notifications,
      results: result.results,
    };
  });
};

/** Registers the route, or — without a configuration — a 503 that tells an integrator why. */
export function registerDossierEvents(app: FastifyInstance, options: DossierEventsOptions | undefined): void {
  if (options) {
    void app.register(dossierEventsPlugin, options);
    return;
  }
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post(DOSSIER_EVENTS_PATH, { bodyLimit: BODY_LIMIT }, async (_req, reply) => reply.code(503).send({ error: "not_configured" }));
  });
}
