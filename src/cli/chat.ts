import readline from "node:readline/promises";
import { stdin, stdout } from "node:process";
import { randomUUID } from "node:crypto";
import { syncKnowledge } from "../adapters/catalogue/knowledge-files.ts";
import { createCatalogueRepository } from "../adapters/postgres/catalogue-repository.ts";
import { runCli } from "./context.ts";
import { assistantSettings, buildAssistant } from "./assistant-factory.ts";
import { startNotifications } from "../adapters/postgres/notification-dispatcher.ts";
import { createConsoleSender, renderCliReplies } from "../channels/cli/console-sender.ts";

/**
 * `npm run chat`: the assistant in a terminal, through the same core as the web page. Choices are
 * numbered; type the number to choose, or keep typing questions. Empty line or Ctrl-D quits.
 */

await runCli(async ({ config, log, db }) => {
  if (config.catalogueAutoload) await syncKnowledge(config.knowledgeDir, createCatalogueRepository(db.pool));
  const { assistant, composeNotification } = await buildAssistant({ db, log, ...assistantSettings(config) });
  const chatId = randomUUID();
  // Status updates for dossiers this session subscribed to are printed as they arrive.
  const notifications = await startNotifications({
    db,
    log,
    senders: [createConsoleSender((text) => stdout.write(text), { chatId })],
    compose: composeNotification,
    ratingDelayMs: config.cases.ratingDelayMs,
  });
  const rl = readline.createInterface({ input: stdin, output: stdout, terminal: stdin.isTTY });
  console.log("Trợ lý thủ tục hành chính. Gõ câu hỏi rồi nhấn Enter; gõ số để chọn; dòng trống để thoát.\n");
  let actions: string[] = [];
  for (;;) {
    let line: string;
    try {
      line = await rl.question("Bạn: ");
    } catch {
      break; // input closed
    }
    if (line.trim() === "") break;
    const pick = /^\s*\[?(\d{1,2})\]?\s*$/.exec(line);
    const action = pick ? actions[Number(pick[1]) - 1] : undefined;
    const { replies } = await assistant.handle({
      channel: "cli",
      chatId,
      ...(action ? { action } : { text: line }),
      receivedAt: new Date(),
    });
    const out = renderCliReplies(replies);
    actions = out.actions;
    console.log(`\nTrợ lý: ${out.text}\n`);
  }
  rl.close();
  await notifications.stop();
});
