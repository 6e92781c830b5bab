import { child, textAt } from '../xml/tree.js';
import { B2C_BUYER } from './ban.js';
import type { RuleContext } from './context.js';

/**
 * Rule 4: a B2C invoice (buyer 0000000000) is exactly one of printed, on a carrier, or donated; a
 * donated one names its charity (NPOBAN). A B2B invoice (a real buyer BAN) is neither donated nor on
 * a B2C carrier.
 */
export function checkProof(ctx: RuleContext): void {
  const main = child(ctx.root, 'Main');
  if (!main) return;
  const buyer = textAt(main, 'Buyer/Identifier');
  const printed = textAt(main, 'PrintMark') === 'Y';
  const donated = textAt(main, 'DonateMark') === '1';
  const carrierType = textAt(main, 'CarrierType') ?? '';
  const carrierIds = (textAt(main, 'CarrierId1') ?? '') + (textAt(main, 'CarrierId2') ?? '');
  const onCarrier = carrierType !== '';

  if (buyer === B2C_BUYER) {
    const found = [printed && 'printed', onCarrier && 'on a carrier', donated && 'donated'].filter(Boolean) as string[];
    const foundZh = [printed && '列印', onCarrier && '載具', donated && '捐贈'].filter(Boolean) as string[];
    if (found.length !== 1) {
      ctx.error('b2c-proof', child(main, 'PrintMark') ?? main, 'b2cProofCount', {
        found: found.length ? found.join(' and ') : 'none of them',
        foundZh: foundZh.length ? foundZh.join('、') : '皆非',
      });
    } else if (donated && !textAt(main, 'NPOBAN')) {
      ctx.error('b2c-proof', child(main, 'DonateMark'), 'b2cDonatedNoNpoban');
    } else if (onCarrier && carrierIds === '') {
      ctx.error('b2c-proof', child(main, 'CarrierType'), 'b2cCarrierNoId');
    }
    return;
  }
  if (donated || onCarrier) {
    ctx.error('b2b-carrier', child(main, donated ? 'DonateMark' : 'CarrierType'), 'b2bCarrier', {
      buyer: buyer ?? '',
      what: donated ? 'donated' : `on a carrier (${carrierType})`,
      whatZh: donated ? '捐贈' : `使用載具（${carrierType}）`,
    });
  }
}
