import { CofferError } from "@coffer/core";

/**
 * Split a command given as one string (`--command 'notify.sh --channel "ops team"'`) into the
 * program and its arguments, the way a shell splits words: whitespace separates, single quotes
 * keep everything literally, double quotes keep spaces (a backslash escapes `"`, `\` and `$`),
 * and a backslash outside quotes escapes the next character. Nothing is expanded: no variables,
 * globs or operators; the result is run without a shell.
 * @throws CofferError INVALID_ARGUMENT for an unclosed quote or an empty command
 */
export function splitCommandWords(text: string, flag: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) throw unclosed(flag);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && j + 1 < text.length && '"\\$`'.includes(text[j + 1]!)) j++;
        word += text[j];
      }
      if (j >= text.length) throw unclosed(flag);
      i = j;
    } else if (ch === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0 || words[0]!.trim() === "") {
    throw new CofferError("INVALID_ARGUMENT", `${flag} must name a program, e.g. ${flag} './notify.sh --quiet'`, {
      field: flag.replace(/^-+/, ""),
    });
  }
  return words;
}

function unclosed(flag: string): CofferError {
  return new CofferError("INVALID_ARGUMENT", `${flag} has an unclosed quote`, { field: flag.replace(/^-+/, "") });
}
