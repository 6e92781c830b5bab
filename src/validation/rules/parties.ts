import { child, type Element } from '../xml/tree.js';
import { isValidBan, B2C_BUYER } from './ban.js';
import type { RuleContext } from './context.js';

/** Element paths holding a BAN, per message family. */
const BAN_FIELDS: Record<string, string[]> = {
  invoice: ['Main/Seller/Identifier', 'Main/Buyer/Identifier'],
  allowance: ['Main/Seller/Identifier', 'Main/Buyer/Identifier', 'Main/OriginalInvoiceSellerId', 'Main/OriginalInvoiceBuyerId'],
  'invoice-cancel': ['SellerId', 'BuyerId'],
  'invoice-void': ['SellerId', 'BuyerId'],
  'allowance-cancel': ['SellerId', 'BuyerId'],
  'branch-track': ['Main/HeadBan', 'Main/BranchBan'],
  'branch-track-blank': ['Main/HeadBan', 'Main/BranchBan'],
};

/** Rule 1: every 8-digit seller/buyer identifier passes the checksum (the B2C buyer is exempt). */
export function checkBans(ctx: RuleContext): void {
  for (const path of BAN_FIELDS[ctx.family] ?? []) {
    const element = elementAt(ctx.root, path);
    const ban = element?.text.trim();
    if (!element || !ban || ban === B2C_BUYER || !/^\d{8}$/.test(ban)) continue;
    if (!isValidBan(ban)) ctx.error('ban-checksum', element, 'banChecksum', { field: path.split('/').slice(-2).join('/'), ban });
  }
}

export function elementAt(root: Element, path: string): Element | null {
  let current: Element | null = root;
  for (const name of path.split('/')) current = child(current, name);
  return current;
}
