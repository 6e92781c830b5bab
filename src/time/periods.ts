/**
 * Invoice periods (期別): two months, written as the ROC year (Gregorian − 1911) and the even end
 * month, e.g. `11412` = Nov–Dec 2025. Pure.
 */

/** The period of a yyyyMMdd date; null when it is not one. */
export function periodOfDate(date: string): string | null {
  const match = /^(\d{4})(\d{2})\d{2}$/.exec(date);
  if (!match) return null;
  const year = Number(match[1]) - 1911;
  const month = Number(match[2]);
  if (year < 1 || month < 1 || month > 12) return null;
  return `${String(year).padStart(3, '0')}${String(Math.ceil(month / 2) * 2).padStart(2, '0')}`;
}
