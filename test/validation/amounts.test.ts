import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Validator, type ValidatorOptions } from '../../src/validation/Validator.js';

const PRINTED = readFileSync(join(import.meta.dirname, '../../samples/valid/F0401-b2c-printed.xml'), 'utf8');

/** The printed B2C sample with one item of `item` and the given Amount block values. */
function invoice(
  amount: { sales: string; free?: string; zero?: string; taxType?: string; rate?: string; tax: string; total: string },
  items: Array<[string, string]> = [['1', amount.total]],
  buyer = '0000000000',
): Buffer {
  const details = items
    .map(
      ([taxType, value], i) =>
        `<ProductItem><Description>品項${i + 1}</Description><Quantity>1</Quantity><UnitPrice>${value}</UnitPrice>` +
        `<TaxType>${taxType}</TaxType><Amount>${value}</Amount><SequenceNumber>${i + 1}</SequenceNumber></ProductItem>`,
    )
    .join('');
  const amounts =
    `<Amount><SalesAmount>${amount.sales}</SalesAmount><FreeTaxSalesAmount>${amount.free ?? '0'}</FreeTaxSalesAmount>` +
    `<ZeroTaxSalesAmount>${amount.zero ?? '0'}</ZeroTaxSalesAmount><TaxType>${amount.taxType ?? '1'}</TaxType>` +
    `<TaxRate>${amount.rate ?? '0.05'}</TaxRate><TaxAmount>${amount.tax}</TaxAmount><TotalAmount>${amount.total}</TotalAmount></Amount>`;
  return Buffer.from(
    PRINTED.replace(/<Details>[\s\S]*<\/Details>/, `<Details>${details}</Details>`)
      .replace(/<Amount>\s*<SalesAmount>[\s\S]*<\/Amount>/, amounts)
      .replace('<Identifier>0000000000</Identifier>', `<Identifier>${buyer}</Identifier>`)
      .replace(buyer === '0000000000' ? /$^/ : '<PrintMark>Y</PrintMark>', '<PrintMark>Y</PrintMark>'),
  );
}

async function codes(doc: Buffer, options: ValidatorOptions = {}): Promise<{ errors: string[]; warnings: string[] }> {
  const report = (await Validator.create(options)).validate(doc);
  return { errors: report.errors.map((e) => e.code), warnings: report.warnings.map((w) => w.code) };
}

describe('F0401 amount rules', () => {
  it('accepts the integrator example: one tax-included item of 1380, sales 1314, tax 66, total 1380', async () => {
    expect(await codes(invoice({ sales: '1314', tax: '66', total: '1380' }, [['1', '1380']]))).toEqual({ errors: [], warnings: [] });
  });

  it('accepts tax-excluded items that sum to the sales amount', async () => {
    expect(
      (
        await codes(
          invoice({ sales: '1314', tax: '66', total: '1380' }, [
            ['1', '1000'],
            ['1', '314'],
          ]),
        )
      ).errors,
    ).toEqual([]);
  });

  it('allows the tax to be off by one from sales × rate, not by two', async () => {
    // 1314 × 0.05 = 65.7 → 66; 65 and 67 pass, 64 and 68 fail.
    expect((await codes(invoice({ sales: '1314', tax: '65', total: '1379' }, [['1', '1379']]))).errors).toEqual([]);
    expect((await codes(invoice({ sales: '1314', tax: '67', total: '1381' }, [['1', '1381']]))).errors).toEqual([]);
    expect((await codes(invoice({ sales: '1314', tax: '64', total: '1378' }, [['1', '1378']]))).errors).toEqual(['amount-tax']);
    expect((await codes(invoice({ sales: '1314', tax: '68', total: '1382' }, [['1', '1382']]))).errors).toEqual(['amount-tax']);
  });

  it('requires the total to add up exactly', async () => {
    expect((await codes(invoice({ sales: '1314', tax: '66', total: '1381' }, [['1', '1381']]))).errors).toEqual(['amount-total']);
  });

  it('warns by default on a B2C invoice with tax-included sales and tax 0, and follows the setting', async () => {
    const doc = invoice({ sales: '1380', tax: '0', total: '1380' }, [['1', '1380']]);
    expect(await codes(doc)).toEqual({ errors: [], warnings: ['b2c-tax-included'] });
    expect(await codes(doc, { b2cTaxIncluded: 'accept' })).toEqual({ errors: [], warnings: [] });
    expect(await codes(doc, { b2cTaxIncluded: 'reject' })).toEqual({ errors: ['amount-tax'], warnings: [] });
  });

  it('does not extend the tax-included allowance to B2B invoices', async () => {
    const doc = invoice({ sales: '1380', tax: '0', total: '1380' }, [['1', '1380']], '83029154');
    expect((await codes(doc)).errors).toEqual(['amount-tax']);
  });

  it('requires TaxRate 0 for tax-free (3) and zero-rated (2), and a reason for zero-rated', async () => {
    expect(
      (await codes(invoice({ sales: '0', free: '500', taxType: '3', rate: '0', tax: '0', total: '500' }, [['3', '500']]))).errors,
    ).toEqual([]);
    expect(
      (await codes(invoice({ sales: '0', free: '500', taxType: '3', rate: '0.05', tax: '0', total: '500' }, [['3', '500']]))).errors,
    ).toEqual(['tax-rate']);
    expect(
      (await codes(invoice({ sales: '0', zero: '500', taxType: '2', rate: '0', tax: '0', total: '500' }, [['2', '500']]))).errors,
    ).toEqual(['tax-rate']);
  });

  it("checks a mixed (9) invoice's split against its items' tax types", async () => {
    const good = invoice({ sales: '1000', free: '200', taxType: '9', tax: '50', total: '1250' }, [
      ['1', '1000'],
      ['3', '200'],
    ]);
    expect((await codes(good)).errors).toEqual([]);
    const swapped = invoice({ sales: '1000', free: '200', taxType: '9', tax: '50', total: '1250' }, [
      ['1', '200'],
      ['3', '1000'],
    ]);
    expect((await codes(swapped)).errors).toContain('amount-items');
  });

  it("flags an item whose tax type differs from a non-mixed invoice's", async () => {
    expect(
      (
        await codes(
          invoice({ sales: '1314', tax: '66', total: '1380' }, [
            ['1', '1000'],
            ['3', '380'],
          ]),
        )
      ).errors,
    ).toEqual(['tax-rate']);
  });

  it('refuses items that sum to neither the total nor the sales amounts', async () => {
    expect((await codes(invoice({ sales: '1314', tax: '66', total: '1380' }, [['1', '1300']]))).errors).toEqual(['amount-items']);
  });
});
