import type { CuratedProcedure, Guide, PortalProcedure } from "./procedure.ts";

/** How one batch of catalogue records landed in the store. */
export interface UpsertCounts {
  /** New to this source. */
  imported: number;
  /** Already there from this source, with different content. */
  updated: number;
  /** Already there from this source, identical. */
  unchanged: number;
}

export interface CatalogueSize {
  procedures: number;
  curated: number;
  portal: number;
  guides: number;
}

export interface ProcedureListItem {
  code: string;
  name: string;
  level: string[];
  field: string | null;
  topic: string | null;
  sourceUrl: string | null;
}

/** Writes the catalogue; implemented over Postgres. */
export interface CatalogueWriter {
  upsertPortal(items: PortalProcedure[]): Promise<UpsertCounts>;
  /** Makes the curated source equal to `items`: adds, updates, and withdraws what is gone. */
  syncCurated(items: CuratedProcedure[]): Promise<UpsertCounts & { removed: number }>;
  syncGuides(guides: Guide[]): Promise<UpsertCounts & { removed: number }>;
  recordImport(entry: { source: "curated" | "portal"; location: string; startedAt: Date; summary: unknown }): Promise<void>;
}

/** Reads the catalogue for pages and (later) answers. */
export interface CatalogueReader {
  size(): Promise<CatalogueSize>;
  /** Procedures whose name contains every word of `query`, accents and case ignored. */
  searchByName(query: string, limit: number): Promise<ProcedureListItem[]>;
  list(limit: number, offset: number): Promise<ProcedureListItem[]>;
}
