import { parseArgs } from "node:util";
import { hashPassword } from "../server/admin/auth.ts";

/**
 * `npm run admin:hash-password [-- --user <name>]`
 * Reads a password and prints its hash for ADMIN_USERS (`scrypt$<salt>$<hash>`, or `name:scrypt$…`
 * with --user). On a terminal the password is asked twice and not shown; piped, the first line of
 * stdin is the password (`printf '%s\n' "$PW" | npm run -s admin:hash-password`).
 * The password itself is never printed or stored.
 */

const MIN_LENGTH = 12;

function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          finish();
          return resolve(value);
        }
        if (ch === "\u0003" || (ch === "\u0004" && value === "")) {
          finish();
          return reject(new Error("cancelled"));
        }
        // Backspace removes one character (a Vietnamese IME edits by sending backspaces too).
        if (ch === "\u007f" || ch === "\b") value = Array.from(value).slice(0, -1).join("");
        else if (ch >= " ") value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

async function readFirstLine(): Promise<string> {
  let text = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) {
    text += chunk as string;
    if (text.includes("\n")) break;
  }
  return text.split(/\r?\n/)[0] ?? "";
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { user: { type: "string" } } });
  const user = values.user?.trim();
  if (user !== undefined && !/^[a-z0-9._-]{2,32}$/.test(user)) {
    console.error("Tên đăng nhập phải gồm 2–32 ký tự a–z, 0–9, dấu chấm, gạch dưới hoặc gạch ngang.");
    return 2;
  }
  let password: string;
  if (process.stdin.isTTY) {
    password = await readHidden("Mật khẩu (không hiện khi gõ): ");
    if (password.length >= MIN_LENGTH && (await readHidden("Nhập lại mật khẩu: ")) !== password) {
      console.error("Hai lần nhập không khớp. Chưa tạo mã băm nào.");
      return 1;
    }
  } else {
    password = await readFirstLine();
  }
  if (Array.from(password.normalize("NFC")).length < MIN_LENGTH) {
    console.error(`Mật khẩu cần ít nhất ${MIN_LENGTH} ký tự (nên dùng một cụm từ dễ nhớ). Chưa tạo mã băm nào.`);
    return 1;
  }
  const hash = await hashPassword(password);
  console.log(user ? `${user}:${hash}` : hash);
  if (process.stdout.isTTY) {
    const what = user ? "Thêm dòng trên vào ADMIN_USERS" : "Thêm vào ADMIN_USERS dạng tên:scrypt$…";
    console.error(`${what} (nhiều tài khoản cách nhau bằng dấu phẩy), rồi khởi động lại dịch vụ.`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(error.message === "cancelled" ? "Đã hủy." : `Lỗi: ${error.message}`);
    process.exitCode = 1;
  },
);
