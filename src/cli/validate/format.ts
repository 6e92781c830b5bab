import type { Lang } from '../../validation/messages.js';
import type { Finding, ValidationReport } from '../../validation/types.js';

const WORDS = {
  en: { valid: 'valid', invalid: 'INVALID', files: 'files', unknown: '(unknown message)', warning: 'warning' },
  'zh-TW': { valid: '通過', invalid: '不通過', files: '個檔案', unknown: '（無法辨識的訊息）', warning: '警告' },
} as const;

/** The human-readable form of `turnkey validate`: one block per file, then a summary line. */
export function formatReports(reports: ValidationReport[], lang: Lang): string {
  const words = WORDS[lang];
  const lines: string[] = [];
  for (const report of reports) {
    const what = report.messageType ? `${report.messageType} ${report.version ?? ''}`.trim() : words.unknown;
    const key = report.key ? `${report.key.number} ${report.key.date}` : '';
    lines.push(
      `${report.valid ? 'OK  ' : 'FAIL'} ${report.file ?? ''}  ${what}  ${key}  ${report.valid ? words.valid : words.invalid}`.trimEnd(),
    );
    for (const finding of report.errors) lines.push(...findingLines(finding, ''));
    for (const finding of report.warnings) lines.push(...findingLines(finding, `${words.warning}: `));
  }
  const valid = reports.filter((r) => r.valid).length;
  lines.push(
    lang === 'en'
      ? `${reports.length} files: ${valid} valid, ${reports.length - valid} invalid`
      : `共 ${reports.length} ${words.files}：${valid} 個通過，${reports.length - valid} 個不通過`,
  );
  return `${lines.join('\n')}\n`;
}

function findingLines(finding: Finding, prefix: string): string[] {
  const where = [finding.line !== null ? `line ${finding.line}` : '', finding.path ?? ''].filter(Boolean).join(' ');
  return [`    ${prefix}${finding.code}${where ? `  ${where}` : ''}`, `      ${finding.message}`];
}
