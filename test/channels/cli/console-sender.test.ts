import { describe, expect, it } from "vitest";
import { createConsoleSender } from "../../../src/channels/cli/console-sender.ts";

describe("the terminal's notification sender", () => {
  it("prints a pushed notification with its choices numbered", async () => {
    const out: string[] = [];
    const sender = createConsoleSender((s) => out.push(s));
    expect(sender.channel).toBe("cli");
    await sender.send("chat-1", [{ text: "Hồ sơ đã có kết quả.", choices: [{ id: "rate:good", label: "Hài lòng" }] }]);
    expect(out.join("")).toBe("\n[Thông báo] Hồ sơ đã có kết quả.\n  [1] Hài lòng\n");
  });

  it("prints only the chat of this terminal when told which it is", async () => {
    const out: string[] = [];
    const sender = createConsoleSender((s) => out.push(s), { chatId: "mine" });
    await sender.send("someone-else", [{ text: "Không phải của tôi." }]);
    await sender.send("mine", [{ text: "Của tôi." }]);
    expect(out.join("")).toBe("\n[Thông báo] Của tôi.\n");
  });
});
