import { expect } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

/** The problems `loadConfig` names for `env`; fails the test when the environment is accepted. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected the configuration to be rejected");
}
