import { z } from "zod";

/** `knowledge/retrieval.json`: retrieval weights and decision thresholds (reviewed data). */
export const RetrievalConfig = z
  .object({
    $comment: z.string().optional(),
    candidates: z.number().int().min(5).max(200),
    /** Which words the database is asked for: the rarest ones (pairs first), at most so many. */
    query: z.object({
      maxFeatures: z.number().int().min(1).max(50),
      /** Words found in more than this share of names are left to reranking. */
      maxDocShare: z.number().min(0).max(1),
      maxAccented: z.number().int().min(0).max(50),
    }),
    fusion: z.object({
      k: z.number().positive(),
      weights: z.object({ folded: z.number().min(0), accented: z.number().min(0), trigram: z.number().min(0), vector: z.number().min(0) }),
    }),
    rerank: z.object({
      name: z.number().min(0),
      nameBigram: z.number().min(0),
      keywords: z.number().min(0),
      context: z.number().min(0),
      unmatchedName: z.number().min(0),
      /** The unmatched-name penalty saturates: at most about unmatchedName × unmatchedCap. */
      unmatchedCap: z.number().positive(),
      /** Factor on the penalty for unasked words in a name's list of cases (after "trong các trường hợp", "đối với"). */
      caseListFactor: z.number().min(0).max(1),
      fused: z.number().min(0),
      /** Words produced by the lexicon (abbreviations, phrases) weigh this much more. */
      lexicalBoost: z.number().min(0),
      /** Credit for a name word matched only without tone marks when the citizen typed others. */
      accentMismatch: z.number().min(0).max(1),
    }),
    decision: z.object({
      answerMinScore: z.number(),
      answerMinCoverage: z.number().min(0).max(1),
      /**
       * A short question that names a procedure may score lower: the candidate must cover at least
       * `namedMinCoverage` of the question, and the question at least `namedMinNameCoverage` of the
       * name's words ("kết hôn" names most of "đăng ký kết hôn": the common "đăng ký" weighs little).
       */
      namedMinCoverage: z.number().min(0).max(1),
      namedMinNameCoverage: z.number().min(0).max(1),
      namedMinScore: z.number(),
      clarifyWithin: z.number().min(0).max(1),
      maxChoices: z.number().int().min(2).max(9),
    }),
  })
  .strict();
export type RetrievalConfig = z.infer<typeof RetrievalConfig>;
