import { createHash } from 'node:crypto';
import type { NewMessage } from '../../src/store/MessageTransitions.js';

/** A recorded-message description for store tests; `n` makes the key and hash distinct. */
export function newMessage(n: number, overrides: Partial<NewMessage> = {}): NewMessage {
  const number = `AB${String(n).padStart(8, '0')}`;
  return {
    messageType: 'F0401',
    category: 'B2SSTORAGE',
    messageKey: `F0401${number}20250101`,
    holdsKey: true,
    invoiceNumber: number,
    invoiceDate: '20250101',
    actionDate: null,
    sellerId: '24634102',
    sellerName: 'Seller',
    buyerId: '0000000000',
    buyerName: '0000',
    totalAmount: '105',
    taxAmount: '5',
    sha256: createHash('sha256').update(`content ${n}`).digest('hex'),
    size: 100 + n,
    sourceName: `${number}.xml`,
    errorCode: null,
    errorText: null,
    findingsJson: null,
    bytesKept: false,
    ...overrides,
  };
}

/** A pack record for store tests: an F0401 pack named `name`, its signed file never read. */
export function packFor(name: string) {
  return {
    commonName: name,
    signedFileName: `x_${name}_2`,
    messageType: 'F0401',
    fromPartyId: '53718426',
    toPartyId: '0000000000',
    size: 10,
    zipped: false,
    payloadPath: `/tmp/${name}`,
    payloadSha256: 'ab',
  };
}
