import { toTaiwanIso } from '../time/taiwanTime.js';
import type { Lang } from '../validation/lang.js';

/**
 * The two reports written beside a file in ERR: `<name>.err.json` (codes and messages, for
 * programs) and `<name>.err.txt` (for the person at the ERP). Pure: built only from what the store
 * records, so a report rewritten after a crash is the same report.
 */

export interface ReportFinding {
  code: string;
  message: string;
  line: number | null;
  path: string | null;
}

export interface ErrReportInput {
  /** The name the ERP gave the file. */
  fileName: string;
  /** Data-root relative: where it was dropped, and where it now is. */
  droppedIn: string;
  filedAs: string;
  receivedAt: number;
  messageId: number;
  messageType: string | null;
  invoiceIdentifier: string | null;
  sha256: string;
  size: number;
  errors: ReportFinding[];
  warnings: ReportFinding[];
  /** The language of the report written for people (the findings' own messages are already in it). */
  lang?: Lang;
}

/** The report of a refused file, from what the store records of it (at intake, and again at refiling). */
export function errReportInput(args: {
  fileName: string;
  folderBase: string;
  filedAs: string;
  receivedAt: number;
  messageId: number;
  messageType: string | null;
  invoiceIdentifier: string | null;
  sha256: string;
  size: number;
  findings: { errors: ReportFinding[]; warnings: ReportFinding[] } | null;
  lang?: Lang;
}): ErrReportInput {
  const { fileName, folderBase, findings, ...rest } = args;
  return {
    ...rest,
    fileName,
    droppedIn: `${folderBase}/SRC/${fileName}`,
    errors: findings?.errors ?? [],
    warnings: findings?.warnings ?? [],
  };
}

const HINTS: Record<string, Record<Lang, string>> = {
  'wrong-folder': {
    en: 'The file holds another message type than its folder. Drop it into the SRC folder of its own type.',
    'zh-TW': '檔案的訊息類別與所在資料夾不符。請放入該類別的 SRC 資料夾。',
  },
  'duplicate-conflict': {
    en:
      'A different message with the same number and date was already accepted. To change an issued invoice, send a cancel (F0501) and ' +
      'issue a new invoice; if this file was meant as the same message, compare it with the first one.',
    'zh-TW':
      '已收過同號碼同日期但內容不同的訊息。要更改已開立的發票，請送作廢（F0501）並重開新發票；若本檔應為同一訊息，請與先前那份比對。',
  },
  'too-large': {
    en: 'The file is larger than validation.maxBytes in the configuration. Check that the ERP wrote one message per file.',
    'zh-TW': '檔案大於設定的 validation.maxBytes。請確認 ERP 每個檔案只寫一則訊息。',
  },
  wellformed: {
    en: 'The file is not well-formed XML. Check that the ERP finished writing it and wrote UTF-8.',
    'zh-TW': '檔案不是格式正確的 XML。請確認 ERP 已寫完檔案且使用 UTF-8。',
  },
  encoding: {
    en: 'MIG messages are UTF-8. Make the ERP write UTF-8 (not Big5, UTF-16 or UTF-32), then drop the file again.',
    'zh-TW': 'MIG 訊息須為 UTF-8。請讓 ERP 以 UTF-8（非 Big5、UTF-16、UTF-32）輸出後重新放入。',
  },
  'not-a-file': {
    en:
      'Only regular files are taken from SRC: links are never followed, FIFOs, sockets and folders are not read. Have the ERP write (or ' +
      'copy) the message file itself into SRC.',
    'zh-TW': 'SRC 只收一般檔案：不跟隨連結，也不讀取 FIFO、socket 或資料夾。請讓 ERP 將訊息檔本身寫入（或複製到）SRC。',
  },
  unreadable: {
    en:
      'The user that runs turnkey could not read this file. Give it read permission on what the ERP writes (its umask, or the group ' +
      'setting), then drop the file again.',
    'zh-TW': '執行 turnkey 的使用者無法讀取此檔。請給予讀取權限（ERP 的 umask 或 group 設定）後重新放入。',
  },
  'validator-failure': {
    en: 'The validator could not check this file. Please report it to the turnkey maintainers, with the file.',
    'zh-TW': '驗證程式無法檢查此檔。請連同檔案回報 turnkey 維護者。',
  },
  'unknown-message': {
    en: 'The root element and namespace are not a MIG 4.1 message this folder accepts.',
    'zh-TW': '根元素與命名空間不是此資料夾接受的 MIG 4.1 訊息。',
  },
};

const DEFAULT_HINT: Record<Lang, string> = {
  en: 'Correct the message in the ERP and drop the corrected file into the SRC folder again.',
  'zh-TW': '請於 ERP 更正訊息後，將更正後的檔案重新放入 SRC 資料夾。',
};

/** The words of the report for people. */
const WORDS = {
  en: {
    refused: (name: string) => `turnkey refused ${name}`,
    droppedIn: 'dropped in:  ',
    received: 'received:    ',
    message: 'message:     ',
    size: (size: number, sha: string) => `size:        ${size} bytes, SHA-256 ${sha}`,
    record: (id: number, key: string) => `record:      message #${id} (turnkey status ${key} shows its history)`,
    errors: (n: number) => `Errors (${n}):`,
    warnings: (n: number) => `Warnings (${n}):`,
    line: (n: number) => `line ${n}`,
    whatToDo: 'What to do: ',
  },
  'zh-TW': {
    refused: (name: string) => `turnkey 拒收 ${name}`,
    droppedIn: '放入位置：  ',
    received: '收到時間：  ',
    message: '訊息：      ',
    size: (size: number, sha: string) => `大小：      ${size} 位元組，SHA-256 ${sha}`,
    record: (id: number, key: string) => `紀錄：      訊息 #${id}（turnkey status ${key} 可看歷程）`,
    errors: (n: number) => `錯誤（${n}）：`,
    warnings: (n: number) => `警告（${n}）：`,
    line: (n: number) => `第 ${n} 行`,
    whatToDo: '處理方式：',
  },
} satisfies Record<Lang, unknown>;

export function errReportJson(input: ErrReportInput): string {
  const codes = [...new Set(input.errors.map((e) => e.code))];
  return `${JSON.stringify(
    {
      file: input.fileName,
      droppedIn: input.droppedIn,
      filedAs: input.filedAs,
      receivedAt: new Date(input.receivedAt).toISOString(),
      messageId: input.messageId,
      messageType: input.messageType,
      invoiceIdentifier: input.invoiceIdentifier,
      sha256: input.sha256,
      size: input.size,
      codes,
      errors: input.errors,
      warnings: input.warnings,
      hint: hintFor(codes, input.lang ?? 'en'),
    },
    null,
    2,
  )}\n`;
}

export function errReportText(input: ErrReportInput): string {
  const lang = input.lang ?? 'en';
  const w = WORDS[lang];
  const lines: string[] = [];
  lines.push(w.refused(input.fileName));
  lines.push('');
  lines.push(`  ${w.droppedIn}${input.droppedIn}`);
  lines.push(`  ${w.received}${toTaiwanIso(new Date(input.receivedAt))}`);
  if (input.invoiceIdentifier ?? input.messageType) lines.push(`  ${w.message}${input.invoiceIdentifier ?? input.messageType}`);
  lines.push(`  ${w.size(input.size, input.sha256)}`);
  lines.push(`  ${w.record(input.messageId, input.invoiceIdentifier ?? `"${input.fileName}"`)}`);
  lines.push('');
  lines.push(w.errors(input.errors.length));
  for (const e of input.errors) lines.push(`  [${e.code}]${where(e, lang)} ${e.message}`);
  if (input.warnings.length > 0) {
    lines.push('');
    lines.push(w.warnings(input.warnings.length));
    for (const f of input.warnings) lines.push(`  [${f.code}]${where(f, lang)} ${f.message}`);
  }
  lines.push('');
  lines.push(
    `${w.whatToDo}${hintFor(
      input.errors.map((e) => e.code),
      lang,
    )}`,
  );
  return `${lines.join('\n')}\n`;
}

function where(f: ReportFinding, lang: Lang): string {
  const parts = [f.line !== null ? WORDS[lang].line(f.line) : null, f.path].filter((p) => p !== null);
  return parts.length > 0 ? ` ${parts.join(', ')}:` : '';
}

function hintFor(codes: string[], lang: Lang): string {
  for (const code of codes) {
    const hint = HINTS[code];
    if (hint) return hint[lang];
  }
  return DEFAULT_HINT[lang];
}
