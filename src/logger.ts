import pino from "pino";
import { maskPersonalNumbers } from "./core/privacy.ts";

export type Logger = pino.Logger;

/**
 * The one logger factory. Structured JSON lines; secrets redacted by path; phone and ID numbers
 * masked in every written line, whatever field or message they hide in.
 */
export function createLogger(level: string, destination: { write(line: string): unknown } = process.stdout): Logger {
  return pino(
    {
      level,
      redact: {
        paths: ["req.headers.authorization", "req.headers.cookie", "*.password", "*.token", "*.secret", "*.accessToken", "*.refreshToken", "*.access_token", "*.refresh_token"],
        censor: "[redacted]",
      },
    },
    { write: (line: string) => destination.write(maskPersonalNumbers(line)) },
  );
}
