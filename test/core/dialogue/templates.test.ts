import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { render, TEMPLATE_PLACEHOLDERS, TemplateError, validateTemplates, type Templates } from "../../../src/core/dialogue/templates.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const shipped = JSON.parse(readFileSync(path.join(ROOT, "prompts/replies.vi.json"), "utf8")) as Record<string, unknown>;

/** A complete, valid set of templates to break one piece at a time. */
function validFile(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, names] of Object.entries(TEMPLATE_PLACEHOLDERS)) {
    out[key] = `Nội dung ${key}${(names as readonly string[]).map((n) => ` {${n}}`).join("")}`;
  }
  return out;
}

function problemsOf(raw: unknown): string[] {
  try {
    validateTemplates(raw);
  } catch (error) {
    if (error instanceof TemplateError) return error.problems;
    throw error;
  }
  return [];
}

describe("validating the reply templates", () => {
  it("accepts the templates shipped in prompts/replies.vi.json", () => {
    const templates = validateTemplates(shipped);
    expect(Object.keys(templates).sort()).toEqual(Object.keys(TEMPLATE_PLACEHOLDERS).sort());
    expect(templates.unavailable).toBe(shipped.unavailable);
  });

  it("accepts a complete set of templates", () => {
    expect(problemsOf(validFile())).toEqual([]);
  });

  it("rejects a missing template, naming it", () => {
    const file = validFile();
    delete file.staleChoice;
    expect(problemsOf(file)).toEqual(["staleChoice: missing"]);
  });

  it("rejects a blank template as missing", () => {
    expect(problemsOf({ ...validFile(), abstain: "   " })).toEqual(["abstain: missing"]);
  });

  it("rejects a placeholder the template cannot be given, naming the template and the placeholder", () => {
    expect(problemsOf({ ...validFile(), welcome: "Xin chào {name}!" })).toEqual(["welcome: unknown placeholder {name}"]);
  });

  it("rejects a template that leaves out a placeholder it must show, naming both", () => {
    expect(problemsOf({ ...validFile(), tooLong: "Tin nhắn của bạn khá dài." })).toEqual(["tooLong: placeholder {limit} is missing"]);
  });

  it("rejects text that is not Unicode NFC", () => {
    expect(problemsOf({ ...validFile(), thanks: "Cảm ơn bạn".normalize("NFD") })).toEqual(["thanks: not Unicode NFC"]);
  });

  it("lists every problem at once, in the error message too", () => {
    const file = validFile();
    delete file.help;
    file.status = "Tra cứu hồ sơ {id}";
    expect(() => validateTemplates(file)).toThrow(TemplateError);
    const problems = problemsOf(file);
    expect(problems).toEqual(["help: missing", "status: unknown placeholder {id}", "status: placeholder {code} is missing"]);
    try {
      validateTemplates(file);
    } catch (error) {
      for (const p of problems) expect((error as Error).message).toContain(p);
    }
  });

  it("rejects a file that is not an object of templates at all", () => {
    expect(problemsOf(null)).toHaveLength(Object.keys(TEMPLATE_PLACEHOLDERS).length);
  });
});

describe("rendering a template", () => {
  const templates: Templates = validateTemplates(shipped);

  it("fills in the placeholders", () => {
    expect(render(templates, "statusCode", { code: "H29.22-250312-0042" })).toBe("\nMã bạn gửi: H29.22-250312-0042.");
  });

  it("accepts numbers as values", () => {
    expect(render(templates, "tooLong", { limit: 1000 })).toContain("(1000 ký tự)");
  });

  it("leaves no braces behind when a value is not given", () => {
    const text = render(templates, "status");
    expect(text).not.toContain("{code}");
    expect(text).toContain("mã hồ sơ");
  });

  it("returns a template without placeholders as written", () => {
    expect(render(templates, "unavailable")).toBe(shipped.unavailable);
  });
});
