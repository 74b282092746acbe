import { existsSync } from "node:fs";
import path from "node:path";

/** The shared national catalogue beside the project, when this checkout has it. */
export const SHARED_CATALOGUE = path.resolve(import.meta.dirname, "../../../shared/catalogue");
export const sharedCatalogueMissing = existsSync(SHARED_CATALOGUE)
  ? null
  : `../shared/catalogue not found at ${SHARED_CATALOGUE}`;
if (sharedCatalogueMissing) {
  console.warn(`\n*** Tests on the real national records DID NOT RUN: ${sharedCatalogueMissing}. ***\n`);
}
