import type { SimAccount } from '../accounts/AccountRegistry.js';
import { periodOfDate } from '../../time/periods.js';
import type { AllocationBook } from '../e0501/AllocationBook.js';
import type { MessageDecisionRecord, PackOutcomeRecord, PackRecord } from '../record/SimDatabase.js';
import { RESULT_CODE } from '../results/resultCodes.js';
import type { ExtraRules } from './ExtraRules.js';
import type { OpenedMessage, OpenedPack } from './openPack.js';

export interface DecisionContext {
  pack: PackRecord;
  account: SimAccount;
  rules: ExtraRules;
  allocations: AllocationBook;
  /** The content digest of the message of this type and number accepted before, if any. */
  acceptedDigest: (messageType: string, number: string) => string | undefined;
}

/**
 * The platform's verdict on an opened pack: first the pack as a whole (routing, type and count
 * as notified), then each message in order: invalid → E9101; the same message accepted before →
 * E0201; an F0401 number accepted before with other content → E1003; an extra rule → E9102;
 * otherwise accepted. Messages accepted earlier in the same pack count as accepted before.
 */
export function decideOutcome(opened: OpenedPack, context: DecisionContext): PackOutcomeRecord {
  if (opened.kind === 'failed') return packFailure(opened.code, opened.reason);
  const { pack, account } = context;
  const { routing } = opened;
  if (routing.from.id !== account.partyId || routing.fromVac.id !== account.routingId) {
    return packFailure(
      RESULT_CODE.routing,
      `the envelope is from ${routing.from.id} via ${routing.fromVac.id}; the account ${account.transportId} sends for ` +
        `${account.partyId} via ${account.routingId}`,
    );
  }
  if (routing.to.id !== pack.transTo.partyInfo.partyId || routing.toVac.id !== pack.transTo.routingInfo.routingId) {
    return packFailure(
      RESULT_CODE.routing,
      `the envelope is addressed to ${routing.to.id} via ${routing.toVac.id}, the notification to ${pack.transTo.partyInfo.partyId} via ` +
        `${pack.transTo.routingInfo.routingId}`,
    );
  }
  if (opened.messageType !== pack.messageType) {
    return packFailure(
      RESULT_CODE.packMismatch,
      `the envelope holds ${opened.messageType}; the notification and the file name say ${pack.messageType}`,
    );
  }
  if (opened.count !== pack.quantity) {
    return packFailure(RESULT_CODE.packMismatch, `the envelope holds ${opened.count} messages; the notification says ${pack.quantity}`);
  }

  const acceptedHere = new Map<string, string>();
  const decisions = opened.messages.map((message) => {
    const decision = decideMessage(message, opened.messageType, context, acceptedHere);
    if (decision.decision === 'accepted' && message.messageType && message.number) {
      acceptedHere.set(`${message.messageType}|${message.number}`, message.contentSha256);
    }
    return decision;
  });
  return { packCode: null, packReason: null, decisions };
}

function decideMessage(
  message: OpenedMessage,
  packType: string,
  context: DecisionContext,
  acceptedHere: Map<string, string>,
): MessageDecisionRecord {
  const base = {
    seq: message.seq,
    messageType: message.messageType,
    number: message.number,
    date: message.date,
    invoiceIdentifier: message.invoiceIdentifier,
    sellerId: message.sellerId,
    contentSha256: message.contentSha256,
  };
  const refuse = (code: string, reason: string, findingCode: string | null, decision: 'rejected' | 'duplicate' = 'rejected') => ({
    ...base,
    decision,
    code,
    reason,
    findingCode,
  });

  if (!message.valid) {
    return refuse(RESULT_CODE.invalidMessage, message.finding?.message ?? 'the message is not valid', message.finding?.code ?? null);
  }
  if (message.messageType !== packType) {
    return refuse(RESULT_CODE.invalidMessage, `a ${message.messageType ?? 'unknown'} message in a ${packType} pack`, 'message-type');
  }
  const type = message.messageType;
  const number = message.number;
  if (number !== null) {
    const earlier = acceptedHere.get(`${type}|${number}`) ?? context.acceptedDigest(type, number);
    if (earlier !== undefined) {
      if (earlier === message.contentSha256) {
        return refuse(RESULT_CODE.duplicateMessage, `${type} ${number} was accepted before (the same message again)`, null, 'duplicate');
      }
      if (type === 'F0401') {
        return refuse(RESULT_CODE.issuedTwice, `invoice ${number} was issued before with other content`, null, 'duplicate');
      }
      return refuse(RESULT_CODE.duplicateMessage, `${type} ${number} was accepted before`, null, 'duplicate');
    }
  }

  const { rules, account, allocations } = context;
  if (number !== null && (rules.rejectInvoiceNumbers.includes(number) || rules.rejectInvoiceNumbers.includes(`${type}:${number}`))) {
    return refuse(RESULT_CODE.extraRule, `${number} is refused by the simulator's rejectInvoiceNumbers rule`, 'reject-invoice-number');
  }
  if (rules.requireSellerIsSender && (type.startsWith('F') || type.startsWith('G')) && message.sellerId !== account.partyId) {
    return refuse(
      RESULT_CODE.extraRule,
      `the seller ${message.sellerId ?? '(none)'} is not the sender ${account.partyId}`,
      'seller-not-sender',
    );
  }
  if (rules.requireAllocatedNumbers && type === 'F0401' && number !== null) {
    const period = message.date ? periodOfDate(message.date) : null;
    const seller = message.sellerId ?? '';
    if (period === null || !allocations.covers(seller, period, number)) {
      return refuse(
        RESULT_CODE.extraRule,
        `${number} is not allocated to ${seller} for period ${period ?? '(unknown)'}`,
        'number-not-allocated',
      );
    }
  }
  return { ...base, decision: 'accepted', code: RESULT_CODE.success, reason: null, findingCode: null };
}

function packFailure(code: string, reason: string): PackOutcomeRecord {
  return { packCode: code, packReason: reason, decisions: [] };
}
