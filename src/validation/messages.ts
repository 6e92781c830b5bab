/**
 * The words of every finding, in English and Traditional Chinese, so that a merchant's staff can
 * read what is wrong and what to do. Codes are chosen by the rules; only the wording lives here.
 */
import type { Lang } from './lang.js';

export { LANGS, type Lang } from './lang.js';

type Params = Record<string, string | number>;
type Template = { en: (p: Params) => string; 'zh-TW': (p: Params) => string };

const TEMPLATES = {
  tooLarge: {
    en: (p) => `file is ${p.size} bytes, over the limit of ${p.limit} bytes; split the export or raise validation.maxBytes`,
    'zh-TW': (p) => `檔案大小 ${p.size} 位元組，超過上限 ${p.limit} 位元組；請分割檔案或調高 validation.maxBytes`,
  },
  encodingWide: {
    en: (p) =>
      `file is ${p.encoding} (${p.bom === 1 ? 'with' : 'without'} a byte-order mark); the platform accepts only UTF-8: save the file as ` +
      `UTF-8`,
    'zh-TW': (p) => `檔案為 ${p.encoding} 編碼（${p.bom === 1 ? '含' : '不含'}位元組順序標記）；平台只接受 UTF-8，請以 UTF-8 重新存檔`,
  },
  encodingNul: {
    en: (p) =>
      `the file holds a NUL byte at line ${p.line}; XML allows none: the file is damaged or is not a text export, write it again as UTF-8`,
    'zh-TW': (p) => `檔案第 ${p.line} 行含有 NUL 位元組，XML 不允許：檔案已損毀或不是文字匯出，請重新以 UTF-8 匯出`,
  },
  encodingDeclared: {
    en: (p) =>
      `the XML declaration names encoding "${p.declared}"; the platform accepts only UTF-8: export as UTF-8 and declare encoding="UTF-8"`,
    'zh-TW': (p) => `XML 宣告的編碼為「${p.declared}」；平台只接受 UTF-8，請以 UTF-8 匯出並宣告 encoding="UTF-8"`,
  },
  encodingBig5: {
    en: (p) => `bytes at line ${p.line} are not UTF-8; the file looks like Big5 (a common ERP export setting): export it as UTF-8`,
    'zh-TW': (p) => `第 ${p.line} 行的位元組不是 UTF-8；檔案看似 Big5 編碼（ERP 常見的匯出設定），請改以 UTF-8 匯出`,
  },
  encodingInvalid: {
    en: (p) => `bytes at line ${p.line} are not valid UTF-8: export the file as UTF-8`,
    'zh-TW': (p) => `第 ${p.line} 行含有無效的 UTF-8 位元組，請以 UTF-8 匯出`,
  },
  unsafeXml: {
    en: () =>
      'the document has a DOCTYPE or entity declaration; MIG messages never do, and it is refused unread (possible entity expansion or ' +
      'external entity attack)',
    'zh-TW': () => '文件含有 DOCTYPE 或實體宣告；MIG 訊息不會有這些，為防範實體展開或外部實體攻擊，不予讀取',
  },
  wellformed: {
    en: (p) => `not well-formed XML at line ${p.line}, column ${p.col}: ${p.detail}`,
    'zh-TW': (p) => `XML 格式錯誤，第 ${p.line} 行第 ${p.col} 欄：${p.detail}`,
  },
  unknownMessage: {
    en: (p) => `root element <${p.root}> in namespace "${p.namespace}" is not a MIG message this program knows`,
    'zh-TW': (p) => `根元素 <${p.root}>（命名空間「${p.namespace}」）不是本程式認得的 MIG 訊息`,
  },
  retiredVersion: {
    en: (p) =>
      `${p.type} version ${p.version} is not accepted in this MIG ${p.current} set-up (MIG 3.x stopped on 2026-01-01): re-export as ` +
      `${p.replacedBy} ${p.current}`,
    'zh-TW': (p) =>
      `${p.type} ${p.version} 版不適用於本 MIG ${p.current} 設定（MIG 3.x 已於 2026-01-01 停用），請改以 ${p.replacedBy} ${p.current} 匯出`,
  },
  unreadableDocument: {
    en: (p) => `libxml2 and the field reader disagree on this document (${p.detail}); it is refused rather than read two ways`,
    'zh-TW': (p) => `libxml2 與欄位讀取器對此文件的解讀不一致（${p.detail}），為避免兩種解讀，不予接受`,
  },
  schemaCheckFailed: {
    en: (p) => `the schema check could not run on this document (${p.detail})`,
    'zh-TW': (p) => `無法對此文件執行結構描述檢查（${p.detail}）`,
  },
  noSchema: {
    en: (p) => `the schema folder has no schema for namespace "${p.namespace}"`,
    'zh-TW': (p) => `結構描述資料夾中沒有命名空間「${p.namespace}」的 XSD`,
  },
  xsd: {
    en: (p) => `schema violation: ${p.detail}`,
    'zh-TW': (p) => `不符合 XSD 結構描述：${p.detail}`,
  },
  banChecksum: {
    en: (p) => `${p.field} ${p.ban} fails the BAN (統一編號) checksum: check the number with the customer or the company registry`,
    'zh-TW': (p) => `${p.field} ${p.ban} 統一編號檢查碼錯誤，請向客戶或商工登記資料核對`,
  },
  dateInvalid: {
    en: (p) => `${p.field} ${p.date} is not a real calendar date`,
    'zh-TW': (p) => `${p.field} ${p.date} 不是有效的日期`,
  },
  dateFuture: {
    en: (p) => `${p.field} ${p.date} is in the future (beyond ${p.skew} s of clock skew): check the ERP's clock or the date`,
    'zh-TW': (p) => `${p.field} ${p.date} 晚於現在（容許誤差 ${p.skew} 秒）；請檢查 ERP 時鐘或日期`,
  },
  dateOrder: {
    en: (p) => `${p.field} ${p.date} is before ${p.otherField} ${p.other}`,
    'zh-TW': (p) => `${p.field} ${p.date} 早於 ${p.otherField} ${p.other}`,
  },
  amountTotal: {
    en: (p) => `TotalAmount ${p.total} ≠ SalesAmount + FreeTaxSalesAmount + ZeroTaxSalesAmount + TaxAmount = ${p.expected}`,
    'zh-TW': (p) => `總計 TotalAmount ${p.total} 不等於 應稅 + 免稅 + 零稅率銷售額 + 稅額 = ${p.expected}`,
  },
  amountTax: {
    en: (p) => `TaxAmount ${p.tax} does not match SalesAmount ${p.sales} × TaxRate ${p.rate} = ${p.expected} (tolerance ±1)`,
    'zh-TW': (p) => `稅額 TaxAmount ${p.tax} 與 銷售額 ${p.sales} × 稅率 ${p.rate} = ${p.expected} 不符（容許 ±1）`,
  },
  amountTaxNotZero: {
    en: (p) => `TaxAmount must be 0 for TaxType ${p.taxType}, found ${p.tax}`,
    'zh-TW': (p) => `課稅別 ${p.taxType} 的稅額應為 0，實為 ${p.tax}`,
  },
  b2cTaxIncluded: {
    en: () =>
      'B2C invoice written with tax-included SalesAmount and TaxAmount 0 (some POS systems do this); accepted by setting ' +
      'validation.b2cTaxIncluded',
    'zh-TW': () => 'B2C 發票以含稅銷售額且稅額為 0 填寫（部分 POS 的作法）；依 validation.b2cTaxIncluded 設定接受',
  },
  amountItems: {
    en: (p) =>
      `ProductItem amounts sum to ${p.sum}, which is neither TotalAmount ${p.total} nor the sales amounts ${p.sales} (tolerance ±1)`,
    'zh-TW': (p) => `明細金額合計 ${p.sum}，既不等於總計 ${p.total}，也不等於銷售額合計 ${p.sales}（容許 ±1）`,
  },
  amountItemsMixed: {
    en: (p) => `items of TaxType ${p.itemTaxType} sum to ${p.sum}, but ${p.field} is ${p.amount} (mixed-tax invoice, tolerance ±1)`,
    'zh-TW': (p) => `課稅別 ${p.itemTaxType} 的明細合計 ${p.sum}，但 ${p.field} 為 ${p.amount}（混合稅率發票，容許 ±1）`,
  },
  taxRate: {
    en: (p) => `TaxType ${p.taxType} (${p.meaning}) needs TaxRate ${p.expected}, found ${p.rate}`,
    'zh-TW': (p) => `課稅別 ${p.taxType}（${p.meaningZh}）的稅率應為 ${p.expected}，實為 ${p.rate}`,
  },
  zeroTaxReason: {
    en: () => 'TaxType 2 (zero-rated) needs a ZeroTaxRateReason (71-79)',
    'zh-TW': () => '課稅別 2（零稅率）須填寫零稅率原因 ZeroTaxRateReason（71-79）',
  },
  itemTaxType: {
    en: (p) => `item ${p.item} has TaxType ${p.itemTaxType} but the invoice is TaxType ${p.taxType}; use TaxType 9 for a mixed invoice`,
    'zh-TW': (p) => `第 ${p.item} 項明細課稅別為 ${p.itemTaxType}，但發票課稅別為 ${p.taxType}；混合稅率請用課稅別 9`,
  },
  b2cProofCount: {
    en: (p) =>
      `a B2C invoice must be exactly one of printed (PrintMark Y), on a carrier (CarrierType + CarrierId) or donated (DonateMark 1 + ` +
      `NPOBAN); this one is ${p.found}`,
    'zh-TW': (p) =>
      `B2C 發票必須恰為 列印（PrintMark Y）、載具（CarrierType + CarrierId）或 捐贈（DonateMark 1 + NPOBAN）其中之一；本張為：${p.foundZh}`,
  },
  b2cDonatedNoNpoban: {
    en: () => 'a donated invoice (DonateMark 1) needs the NPOBAN (愛心碼) of the receiving charity',
    'zh-TW': () => '捐贈發票（DonateMark 1）須填寫受捐贈機關團體的愛心碼 NPOBAN',
  },
  b2cCarrierNoId: {
    en: () => 'a carrier invoice needs CarrierId1 or CarrierId2 besides CarrierType',
    'zh-TW': () => '載具發票除 CarrierType 外，還須填寫 CarrierId1 或 CarrierId2',
  },
  b2bCarrier: {
    en: (p) => `a B2B invoice (buyer ${p.buyer}) cannot be ${p.what}: carriers and donations are for B2C invoices (buyer 0000000000)`,
    'zh-TW': (p) => `B2B 發票（買方 ${p.buyer}）不可${p.whatZh}：載具與捐贈僅適用於 B2C 發票（買方 0000000000）`,
  },
  duplicate: {
    en: (p) => `${p.type} ${p.number} appears more than once in the input (first in ${p.first})`,
    'zh-TW': (p) => `${p.type} ${p.number} 在輸入中重複出現（首見於 ${p.first}）`,
  },
  allowanceTypeBuyer: {
    en: () =>
      'AllowanceType 1 (issued by the buyer): since 2025-01-01 the seller issues allowances (統一發票使用辦法 art. 20-1), AllowanceType 2; the ' +
      'platform may refuse this one',
    'zh-TW': () =>
      '折讓種類 1（買方開立）：自 2025-01-01 起折讓證明單由賣方開立（統一發票使用辦法第 20 條之 1），應為折讓種類 2；平台可能拒收',
  },
  allowanceTypeMissing: {
    en: () => 'no AllowanceType: MIG 4.1 adds it to G0501 (2, issued by the seller) and the platform may require it',
    'zh-TW': () => '缺少折讓種類 AllowanceType：MIG 4.1 的 G0501 新增此欄位（2，賣方開立），平台可能要求填寫',
  },
  allowanceItemIds: {
    en: (p) =>
      `item ${p.item} carries OriginalInvoiceSellerId/OriginalInvoiceBuyerId; MIG 4.1 puts them in Main, after AllowanceType: the ` +
      `platform may refuse this form`,
    'zh-TW': (p) =>
      `第 ${p.item} 項明細含有 OriginalInvoiceSellerId/OriginalInvoiceBuyerId；MIG 4.1 將其置於主檔 Main 的 AllowanceType 之後，平台可能拒收此格式`,
  },
  allowanceItemTax: {
    en: (p) => `item ${p.item}: Tax ${p.tax} does not match Amount ${p.amount} × 5% = ${p.expected} (tolerance ±1)`,
    'zh-TW': (p) => `第 ${p.item} 項明細：稅額 ${p.tax} 與 金額 ${p.amount} × 5% = ${p.expected} 不符（容許 ±1）`,
  },
  allowanceItemTaxNotZero: {
    en: (p) => `item ${p.item}: Tax must be 0 for TaxType ${p.taxType}, found ${p.tax}`,
    'zh-TW': (p) => `第 ${p.item} 項明細：課稅別 ${p.taxType} 的稅額應為 0，實為 ${p.tax}`,
  },
  allowanceItemsSum: {
    en: (p) => `the items' ${p.what} sum to ${p.sum}, but ${p.field} is ${p.total} (tolerance ±1)`,
    'zh-TW': (p) => `明細 ${p.what} 合計 ${p.sum}，但 ${p.field} 為 ${p.total}（容許 ±1）`,
  },
  rangeOrder: {
    en: (p) => `range ${p.item}: InvoiceBeginNo ${p.begin} is after InvoiceEndNo ${p.end}`,
    'zh-TW': (p) => `第 ${p.item} 組號碼：起號 ${p.begin} 大於迄號 ${p.end}`,
  },
  rangeOrderMain: {
    en: (p) => `Main: InvoiceBeginNo ${p.begin} is after InvoiceEndNo ${p.end}`,
    'zh-TW': (p) => `主檔：起號 ${p.begin} 大於迄號 ${p.end}`,
  },
  rangeOverlap: {
    en: (p) =>
      `range ${p.item} (${p.begin}-${p.end}) overlaps range ${p.other} (${p.otherBegin}-${p.otherEnd}): a number may be listed once`,
    'zh-TW': (p) => `第 ${p.item} 組號碼（${p.begin}-${p.end}）與第 ${p.other} 組（${p.otherBegin}-${p.otherEnd}）重疊：每個號碼只能列一次`,
  },
  rangeOutside: {
    en: (p) => `range ${p.item} (${p.begin}-${p.end}) lies outside the head office's range in Main (${p.mainBegin}-${p.mainEnd})`,
    'zh-TW': (p) => `第 ${p.item} 組號碼（${p.begin}-${p.end}）超出主檔總公司字軌範圍（${p.mainBegin}-${p.mainEnd}）`,
  },
  bookletBounds: {
    en: (p) => `range ${p.item} (${p.begin}-${p.end}) is not whole booklets of 50: it must begin at …00 or …50 and end at …49 or …99`,
    'zh-TW': (p) => `第 ${p.item} 組號碼（${p.begin}-${p.end}）不是完整的 50 號一本：起號須為 …00 或 …50，迄號須為 …49 或 …99`,
  },
  bookletCount: {
    en: (p) => `range ${p.item} (${p.begin}-${p.end}) holds ${p.booklets} booklet(s) of 50, but InvoiceBooklet says ${p.stated}`,
    'zh-TW': (p) => `第 ${p.item} 組號碼（${p.begin}-${p.end}）共 ${p.booklets} 本（每本 50 號），但 InvoiceBooklet 為 ${p.stated}`,
  },
  numberReused: {
    en: (p) =>
      `invoice number ${p.number} was already issued on ${p.date} (message #${p.id}); a number is issued once (the platform answers ` +
      `E1003): use the next free number, or correct the date of the first`,
    'zh-TW': (p) =>
      `發票號碼 ${p.number} 已於 ${p.date} 開立（訊息 #${p.id}）；同一號碼只能開立一次（平台會回覆 E1003）：請改用下一個空白號碼，或更正第一張的日期`,
  },
  allowanceExceeds: {
    en: (p) =>
      `this allowance takes ${p.asked} off invoice ${p.number} (${p.date}), of which ${p.remaining} remains: its total ${p.total} minus ` +
      `${p.taken} taken by ${p.count} earlier allowance(s)`,
    'zh-TW': (p) =>
      `本折讓自發票 ${p.number}（${p.date}）折讓 ${p.asked}，但該發票僅餘 ${p.remaining}：總計 ${p.total} 減去先前 ${p.count} 張折讓的 ${p.taken}`,
  },
  originalCancelled: {
    en: (p) => `invoice ${p.number} (${p.date}) was cancelled or voided (${p.type}, message #${p.id}): an allowance cannot be issued on it`,
    'zh-TW': (p) => `發票 ${p.number}（${p.date}）已作廢或註銷（${p.type}，訊息 #${p.id}），不可再開立折讓`,
  },
  alreadyCancelled: {
    en: (p) =>
      `invoice ${p.number} (${p.date}) is already cancelled or voided by ${p.type} (message #${p.id}); it cannot be cancelled or voided ` +
      `again`,
    'zh-TW': (p) => `發票 ${p.number}（${p.date}）已由 ${p.type}（訊息 #${p.id}）作廢或註銷，不可再次作廢或註銷`,
  },
  cancelWithAllowances: {
    en: (p) =>
      `invoice ${p.number} (${p.date}) has allowances that stand (${p.allowances}); the platform cancels an invoice only after its ` +
      `allowances are cancelled (G0501): send those first`,
    'zh-TW': (p) =>
      `發票 ${p.number}（${p.date}）尚有有效的折讓（${p.allowances}）；平台須先作廢折讓（G0501）才能作廢發票：請先傳送折讓作廢`,
  },
  originalUnknown: {
    en: (p) =>
      `${p.what} (${p.key}) was never sent through this turnkey: it cannot be checked here (fine when it was issued before this turnkey ` +
      `was installed)`,
    'zh-TW': (p) => `${p.what}（${p.key}）不是經由本程式傳送，無法在此檢查（若於安裝本程式前開立則無妨）`,
  },
  trackPeriod: {
    en: (p) =>
      `the track ${p.track} of ${p.number} is not among ${p.seller}'s allocations for period ${p.period} (${p.tracks}): the letters ` +
      `change every period; the platform refuses a number of another period's letters. Issue it from ${p.tracks}`,
    'zh-TW': (p) =>
      `${p.number} 的字軌 ${p.track} 不在 ${p.seller} 第 ${p.period} 期的配號中（${p.tracks}）：字軌每期更換，平台會退回其他期別字軌的號碼。請改用 ${p.tracks}`,
  },
  trackRange: {
    en: (p) =>
      `${p.number} is outside every range allocated to ${p.seller} for period ${p.period} (${p.ranges})` +
      `${p.allotted ? `; it is allotted to the branch ${p.allotted}` : ''}: use a number ` +
      `of its own ranges, or import the allocation it comes from (turnkey tracks import)`,
    'zh-TW': (p) =>
      `${p.number} 不在 ${p.seller} 第 ${p.period} ` +
      `期任何配號區間內（${p.ranges}）${p.allotted ? `；已分配給分支機構 ${p.allotted}` : ''}：請改用其配號區間內的號碼，或匯入該號碼所屬的配號（turnkey tracks import）`,
  },
  allotmentOverlap: {
    en: (p) => `the range ${p.range} is already allotted to ${p.other} for period ${p.period}: a number is allotted to one branch only`,
    'zh-TW': (p) => `號碼區間 ${p.range} 於第 ${p.period} 期已分配給 ${p.other}：同一號碼只能分配給一個分支機構`,
  },
  senderUnknown: {
    en: (p) =>
      `the seller ${p.seller} is not covered by any sender in platform.senders: add its BAN to a sender (with that party's certificate ` +
      `and transport account), or drop the file in the right turnkey`,
    'zh-TW': (p) =>
      `賣方 ${p.seller} 不在 platform.senders 任一傳送方的統編清單中：請將其統編加入傳送方設定（並使用該營業人的憑證與傳送帳號），或改放至正確的 Turnkey`,
  },
  wrongFolder: {
    en: (p) => `this is a ${p.type} message in the ${p.folder} folder; it belongs in UpCast/${p.category}/${p.type}/SRC/`,
    'zh-TW': (p) => `這是 ${p.type} 訊息，卻放在 ${p.folder} 資料夾；應放在 UpCast/${p.category}/${p.type}/SRC/`,
  },
  duplicateConflict: {
    en: (p) => `${p.key} was already accepted as message #${p.id} (received ${p.at}) with other content; a message is never overwritten`,
    'zh-TW': (p) => `${p.key} 已於 ${p.at} 以訊息 #${p.id} 受理且內容不同；已受理的訊息不會被覆寫`,
  },
  schemaDefect: {
    en: (p) => `schema file ${p.file} line ${p.line}: ${p.what}`,
    'zh-TW': (p) => `結構描述檔 ${p.file} 第 ${p.line} 行：${p.what}`,
  },
} satisfies Record<string, Template>;

export type MessageId = keyof typeof TEMPLATES;

export function say(lang: Lang, id: MessageId, params: Params = {}): string {
  const template: Template = TEMPLATES[id];
  return template[lang](params);
}
