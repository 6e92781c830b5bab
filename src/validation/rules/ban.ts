/**
 * The BAN (統一編號) checksum. Weights 1,2,1,2,1,2,4,1; add the digits of each product; the sum
 * must be divisible by 5 since 2023-04-01 (by 10 before). When the 7th digit is 7 its product (28)
 * may count as 10 or as 1, so the sum + 1 is also accepted.
 */
const WEIGHTS = [1, 2, 1, 2, 1, 2, 4, 1] as const;

export type BanRule = 'since-2023' | 'before-2023';

export function isValidBan(ban: string, rule: BanRule = 'since-2023'): boolean {
  if (!/^\d{8}$/.test(ban)) return false;
  const divisor = rule === 'since-2023' ? 5 : 10;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const product = (ban.charCodeAt(i) - 48) * WEIGHTS[i]!;
    sum += Math.floor(product / 10) + (product % 10);
  }
  if (sum % divisor === 0) return true;
  return ban[6] === '7' && (sum + 1) % divisor === 0;
}

/** The B2C buyer: ten zeros, exempt from the checksum. */
export const B2C_BUYER = '0000000000';
