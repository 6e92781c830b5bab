import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TurnkeyError } from '../../src/errors/index.js';
import { AnnouncementError, parseAnnouncement, type AnnouncedWindow } from '../../src/schedule/parseAnnouncement.js';

// Import time in the tests: a week before the 2023 move to the new platform (Taiwan time 10:00).
const NOW = new Date('2023-12-15T02:00:00.000Z');

const read = (text: string, now: Date = NOW): AnnouncedWindow[] => parseAnnouncement(text, { now });
const spans = (windows: AnnouncedWindow[]): string[][] => windows.map((w) => [w.from.toISOString(), w.to.toISOString()]);
const only = (text: string, now: Date = NOW): string[] => {
  const windows = read(text, now);
  expect(windows).toHaveLength(1);
  return spans(windows)[0]!;
};

function refusal(text: string, now: Date = NOW): AnnouncementError {
  try {
    parseAnnouncement(text, { now });
  } catch (error) {
    expect(error).toBeInstanceOf(AnnouncementError);
    return error as AnnouncementError;
  }
  throw new Error('expected the announcement to be refused');
}

const SEED = readFileSync(new URL('../../../shared/seeds/000_e4c9f774e5117373.txt', import.meta.url), 'utf8');

describe('parseAnnouncement: the seed letter', () => {
  it('reads the 2023 move to the new platform once, from all the sentences that state it', () => {
    const windows = read(SEED);
    expect(spans(windows)).toEqual([['2023-12-22T10:00:00.000Z', '2023-12-24T10:00:00.000Z']]);
    const [window] = windows;
    expect(window!.sentence).toContain('本(112)年12月22日18時至12月24日18時暫停服務');
    expect(window!.reason.startsWith('財政部電子發票整合服務平台')).toBe(true);
    expect(Array.from(window!.reason).length).toBeLessThanOrEqual(120);
    expect(window!.yearFrom).toBeUndefined();
  });

  it('does not depend on the import time when the years are written', () => {
    expect(spans(read(SEED, new Date('2026-06-01T00:00:00.000Z')))).toEqual([['2023-12-22T10:00:00.000Z', '2023-12-24T10:00:00.000Z']]);
  });
});

describe('parseAnnouncement: points in time', () => {
  it('reads ROC year, month, day and hour (時)', () => {
    const text = '主旨：財政部電子發票整合服務平台定於112年12月22日18時至12月24日18時暫停服務，請查照並轉知所屬會員。';
    expect(only(text)).toEqual(['2023-12-22T10:00:00.000Z', '2023-12-24T10:00:00.000Z']);
  });

  it('reads hours written with 點, minutes with 分 and half hours with 半', () => {
    expect(only('財政部財政資訊中心表示，平台將於113年3月30日19點30分至3月31日7點暫停服務。', new Date('2024-03-01T00:00:00Z'))).toEqual([
      '2024-03-30T11:30:00.000Z',
      '2024-03-30T23:00:00.000Z',
    ]);
    expect(only('平台將於113年3月30日19時半至3月31日7時整暫停服務。', new Date('2024-03-01T00:00:00Z'))).toEqual([
      '2024-03-30T11:30:00.000Z',
      '2024-03-30T23:00:00.000Z',
    ]);
  });

  it.each(['(五)', '(星期五)', '（週五）', '（周五）', '(禮拜五)'])(
    'ignores a weekday %s that matches its date; the end inherits month and year',
    (weekday) => {
      const text = `●本平台113年12月20日${weekday}18時至22日(日)10時暫停服務，進行服務升級維護作業。`;
      expect(only(text)).toEqual(['2024-12-20T10:00:00.000Z', '2024-12-22T02:00:00.000Z']);
    },
  );

  it('reads 下午 and 中午 (the 2025 yearly upgrade)', () => {
    const text = '●本平台114年12月19日(星期五)下午6時至20日(星期六)中午12時暫停服務，進行服務升級維護作業。';
    expect(only(text)).toEqual(['2025-12-19T10:00:00.000Z', '2025-12-20T04:00:00.000Z']);
  });

  it.each([
    ['114年6月1日凌晨0時至上午6時暫停服務', '2025-05-31T16:00:00.000Z', '2025-05-31T22:00:00.000Z'],
    ['114年6月1日早上7時至中午1時暫停服務', '2025-05-31T23:00:00.000Z', '2025-06-01T05:00:00.000Z'],
    ['114年6月1日中午12時30分至下午3時暫停服務', '2025-06-01T04:30:00.000Z', '2025-06-01T07:00:00.000Z'],
    ['114年6月1日傍晚6時30分至晚上11時暫停服務', '2025-06-01T10:30:00.000Z', '2025-06-01T15:00:00.000Z'],
    ['114年6月1日晚間18時至晚間22時暫停服務', '2025-06-01T10:00:00.000Z', '2025-06-01T14:00:00.000Z'],
    ['113年12月20日(五)晚上6時至翌日(六)下午6時暫停服務', '2024-12-20T10:00:00.000Z', '2024-12-21T10:00:00.000Z'],
  ])('reads the time of day in %s', (text, from, to) => {
    expect(only(text, new Date('2024-01-01T00:00:00Z'))).toEqual([from, to]);
  });

  it.each(['114年6月1日上午12時至上午6時暫停服務', '114年6月1日晚上12時至翌日上午6時暫停服務'])(
    'refuses 12 o’clock in the morning or at night as ambiguous: %s',
    (text) => {
      const error = refusal(text);
      expect(error.code).toBe('announcement-unreadable');
      expect(error.message).toContain(text);
      expect(error.message).toContain('noon or midnight');
    },
  );

  it('reads 起…至…止 and 24時 as the next day 00:00 (the 2017 storage change)', () => {
    const text =
      '為提升平台整體服務效能，將更換平台儲存設備，自106年8月4日晚間18時起，至106年8月6日24時止，暫時停止整合服務平台對外應用服務。';
    expect(only(text)).toEqual(['2017-08-04T10:00:00.000Z', '2017-08-06T16:00:00.000Z']);
  });

  it('reads 起 … 至 … 止 with words between when they speak of stopping', () => {
    const text = '平台自112年12月22日18時起暫停各項服務，預計至12月24日18時止。';
    expect(only(text)).toEqual(['2023-12-22T10:00:00.000Z', '2023-12-24T10:00:00.000Z']);
  });

  it('refuses 24時 with minutes', () => {
    const text = '平台定於112年12月22日18時至12月24日24時30分暫停服務。';
    const error = refusal(text);
    expect(error.code).toBe('announcement-unreadable');
    expect(error.message).toContain(text.replace('。', ''));
  });

  it('reads HH:MM with the end on the start’s day (the 2018 and 2019 windows)', () => {
    expect(only('停機時間：107年12月16日 08:00至16:00。')).toEqual(['2018-12-16T00:00:00.000Z', '2018-12-16T08:00:00.000Z']);
    expect(only('電子發票平台將於108年6月18日07:00至9:00暫停服務。')).toEqual(['2019-06-17T23:00:00.000Z', '2019-06-18T01:00:00.000Z']);
  });

  it('reads 本(112)年 whatever the import time', () => {
    const text = '主旨：平台定於本(112)年12月22日18時至12月24日18時暫停服務，請查照。';
    const windows = read(text, new Date('2025-01-01T00:00:00Z'));
    expect(spans(windows)).toEqual([['2023-12-22T10:00:00.000Z', '2023-12-24T10:00:00.000Z']]);
    expect(windows[0]!.yearFrom).toBeUndefined();
  });

  it('reads 本年 as the year of the document', () => {
    const text = '發文日期：中華民國112年12月15日\n主旨：平台定於本年12月22日18時至12月24日18時暫停服務，請查照。';
    const windows = read(text, new Date('2025-01-01T00:00:00Z'));
    expect(spans(windows)).toEqual([['2023-12-22T10:00:00.000Z', '2023-12-24T10:00:00.000Z']]);
    expect(windows[0]!.yearFrom).toBe('document-date');
  });

  it('reads 本年 as the 本(112)年 the text states elsewhere', () => {
    const text = '新平台定於本(112)年12月24日18時起上線試營運，為辦理系統移轉作業，平台於本年12月22日18時至24日18時將暫停各項服務。';
    const windows = read(text, new Date('2025-01-01T00:00:00Z'));
    expect(spans(windows)).toEqual([['2023-12-22T10:00:00.000Z', '2023-12-24T10:00:00.000Z']]);
    expect(windows[0]!.yearFrom).toBe('text');
  });

  it('reads Gregorian years', () => {
    expect(only('The platform: 平台定於2023年12月22日18時至12月24日18時暫停服務。')).toEqual([
      '2023-12-22T10:00:00.000Z',
      '2023-12-24T10:00:00.000Z',
    ]);
  });
});

describe('parseAnnouncement: a day with no year', () => {
  const WINDOW = '平台定於12月22日18時至12月24日18時暫停服務，請查照。';
  const IN_2023 = ['2023-12-22T10:00:00.000Z', '2023-12-24T10:00:00.000Z'];
  const A_YEAR_EARLIER = new Date('2022-11-01T00:00:00Z');

  it('takes the year stated earlier in the text', () => {
    const windows = read(`說明：一、依財政部112年12月13日台財資字第1120006355號函辦理。\n二、${WINDOW}`, A_YEAR_EARLIER);
    expect(spans(windows)).toEqual([IN_2023]);
    expect(windows[0]!.yearFrom).toBe('text');
  });

  it('takes the year of the letter’s date', () => {
    const windows = read(`發文日期：中華民國112年12月15日\n發文字號：北區國稅銷售字第1120000000號\n主旨：${WINDOW}`, A_YEAR_EARLIER);
    expect(spans(windows)).toEqual([IN_2023]);
    expect(windows[0]!.yearFrom).toBe('document-date');
  });

  it.each(['日期：2023-12-11', '發布單位：財政部財政資訊中心 發布日期：2023-12-13 更新日期：2023-12-13'])(
    'takes the year of a page’s date, even at its foot: %s',
    (date) => {
      const windows = read(`${WINDOW}\n${date}`, A_YEAR_EARLIER);
      expect(spans(windows)).toEqual([IN_2023]);
      expect(windows[0]!.yearFrom).toBe('document-date');
    },
  );

  it('takes the year of the import time, in Taiwan time, when the text has none', () => {
    // 2022-12-31T16:00Z is already 2023-01-01 in Taiwan.
    const windows = read('平台定於1月5日18時至1月6日6時暫停服務。', new Date('2022-12-31T16:00:00Z'));
    expect(spans(windows)).toEqual([['2023-01-05T10:00:00.000Z', '2023-01-05T22:00:00.000Z']]);
    expect(windows[0]!.yearFrom).toBe('now');
  });

  it('refuses a window the import time’s year makes already over, rather than roll it to next year', () => {
    const error = refusal(WINDOW, new Date('2023-12-25T00:00:00Z'));
    expect(error.code).toBe('announcement-unreadable');
    expect(error.message).toContain('平台定於12月22日18時至12月24日18時暫停服務,請查照');
    expect(error.message).toContain('already over');
  });
});

describe('parseAnnouncement: text forms', () => {
  it('reads an HTML page: tags, line breaks, entities', () => {
    const html = [
      '<!DOCTYPE html>',
      '<html><head><title>最新消息</title><style>p { color: red }</style><script>var a = "112年1月1日1時至2時暫停";</script></head>',
      '<body><div class="news">',
      '  <h2>電子發票整合服務平台暫停服務公告</h2>',
      '  <p>本平台定於112年12月22日(五)18時至24日(日)18時暫停服務&#65292;辦理新平台移轉作業&nbsp;&amp;&nbsp;資料轉換',
      '  <br>影響範圍說明如下&#xFF1A;</p>',
      '  <ul><li>暫停使用電子發票傳輸軟體(Turnkey)上傳電子發票</li><li>客服專線0800-521-988</li></ul>',
      '</div><p>發布日期：2023-12-13</p></body></html>',
    ].join('\n');
    const windows = read(html);
    expect(spans(windows)).toEqual([['2023-12-22T10:00:00.000Z', '2023-12-24T10:00:00.000Z']]);
    expect(windows[0]!.sentence).toBe('本平台定於112年12月22日(五)18時至24日(日)18時暫停服務,辦理新平台移轉作業 & 資料轉換');
  });

  it('normalises full-width digits and punctuation', () => {
    expect(only('主旨：平台定於１１２年１２月２２日（五）１８時至２４日（日）１８時暫停服務，請查照。')).toEqual([
      '2023-12-22T10:00:00.000Z',
      '2023-12-24T10:00:00.000Z',
    ]);
    expect(only('停機時間：１１２年１２月２２日１８：００～１２月２４日１８：００')).toEqual([
      '2023-12-22T10:00:00.000Z',
      '2023-12-24T10:00:00.000Z',
    ]);
  });

  it('mends a sentence a letter wrapped in the middle of a range', () => {
    const text = '主旨：財政部電子發票整合服務平台定於本(112)年12月22日18時至12\n月24日18時暫停服務，請查照並轉知所屬會員。';
    expect(only(text)).toEqual(['2023-12-22T10:00:00.000Z', '2023-12-24T10:00:00.000Z']);
  });

  it('returns separate windows sorted by start', () => {
    const text = '一、平台將於108年6月18日07:00至9:00暫停服務。\n二、平台將於107年12月16日08:00至16:00暫停服務。';
    expect(spans(read(text))).toEqual([
      ['2018-12-16T00:00:00.000Z', '2018-12-16T08:00:00.000Z'],
      ['2019-06-17T23:00:00.000Z', '2019-06-18T01:00:00.000Z'],
    ]);
  });

  it('ignores a range that stops nothing and a single point in time', () => {
    const text =
      '新平台於112年12月24日18時起上線試營運。\n受理申請期間為112年12月1日9時至12月15日17時。\n平台定於112年12月22日18時至24日18時暫停服務。';
    expect(only(text)).toEqual(['2023-12-22T10:00:00.000Z', '2023-12-24T10:00:00.000Z']);
  });
});

describe('parseAnnouncement: Turnkey uploads back before the platform', () => {
  const NEWS = [
    '財政部電子發票整合服務平台113年度服務升級公告',
    '●本平台113年12月20日(五)18時至22日(日)10時暫停服務，進行服務升級維護作業。',
    '●本平台停止服務期間，營業人端POS仍可照常開立電子發票，不影響民眾購物消費索取雲端發票。',
    '●為降低服務影響衝擊，分階段恢復服務如下表：',
    '',
    '恢復時間\t分眾\t恢復服務項目',
    '113.12.21(六)10:00\t消費者\t各實體領獎據點兌領統一發票中獎獎金',
  ];
  const TURNKEY_ROWS = ['113.12.21(六)18:00\t消費者\t財政部統一發票兌獎APP雲端發票服務', '\t營業人\t電子發票傳輸軟體(Turnkey)上傳電子發票'];
  const END = ['113.12.22(日)10:00\t所有分眾\t提供全部服務', '●如有疑問，請撥打24小時客服專線0800-521-988。'];
  const UPLOADS = ['2024-12-20T10:00:00.000Z', '2024-12-21T10:00:00.000Z'];

  it('ends the uploads’ window at the Turnkey row of the table (text)', () => {
    const windows = read([...NEWS, ...TURNKEY_ROWS, ...END].join('\n'));
    expect(spans(windows)).toEqual([UPLOADS]);
    expect(windows[0]!.restoredIn).toContain('Turnkey');
    expect(windows[0]!.sentence).toContain('113年12月20日(五)18時至22日(日)10時暫停服務');
  });

  it('ends the uploads’ window at the Turnkey row of the table (HTML, a time cell spanning two rows)', () => {
    const html = `<html><body>
      <h3>平台服務升級中</h3>
      <p>●本平台113年12月20日(五)18時至22日(日)10時暫停服務，進行服務升級維護作業。</p>
      <p>●為降低服務影響衝擊，分階段恢復服務如下表：</p>
      <table>
        <tr><th>恢復時間</th><th>分眾</th><th>恢復服務項目</th></tr>
        <tr><td rowspan="2">113.12.21(六)10:00</td><td>消費者</td><td>各實體領獎據點兌領統一發票中獎獎金</td></tr>
        <tr><td>營業人</td><td>--</td></tr>
        <tr><td rowspan="2">113.12.21(六)18:00</td><td>消費者</td><td>財政部統一發票兌獎APP雲端發票服務</td></tr>
        <tr><td>營業人</td><td>電子發票傳輸軟體(Turnkey)上傳電子發票</td></tr>
        <tr><td>113.12.22(日)10:00</td><td>所有分眾</td><td>提供全部服務</td></tr>
      </table>
      <p>●For updating services, we suspend services from December 20, 2024, 6:00 p.m. to December 22, 2024, 10:00 a.m.</p>
      <p>●Turnkey uploads come back on December 21, 2024, 6:00 p.m.</p>
    </body></html>`;
    expect(spans(read(html))).toEqual([UPLOADS]);
  });

  it('leaves the window whole when only other services come back early', () => {
    expect(spans(read([...NEWS, TURNKEY_ROWS[0]!, ...END].join('\n')))).toEqual([['2024-12-20T10:00:00.000Z', '2024-12-22T02:00:00.000Z']]);
    const prose = '平台113年12月20日18時至22日10時暫停服務。\n各領獎據點兌領統一發票中獎獎金及兌獎APP查詢服務於113年12月21日10時起恢復。';
    expect(spans(read(prose))).toEqual([['2024-12-20T10:00:00.000Z', '2024-12-22T02:00:00.000Z']]);
  });

  it('reads the Turnkey restoration in a sentence too', () => {
    const text = '平台113年12月20日18時至22日10時暫停服務。\n營業人使用Turnkey上傳電子發票之服務，將於113年12月21日(六)18時先行恢復。';
    expect(spans(read(text))).toEqual([UPLOADS]);
  });

  it('takes a window stated for Turnkey inside the platform’s as the uploads’ (2018)', () => {
    const text = [
      '整合服務平台進行服務升級，作業期間暫時停止營運服務，說明如下：',
      '停機時間：107年12月16日 08:00至16:00。',
      '營業人主要影響：發票傳輸軟體Turnkey將無法進行連線，影響時間為107年12月16日08:00至14:30，請業者調整傳輸排程。',
    ].join('\n');
    expect(spans(read(text))).toEqual([['2018-12-16T00:00:00.000Z', '2018-12-16T06:30:00.000Z']]);
  });
});

describe('parseAnnouncement: refusals', () => {
  it('refuses a weekday that does not match its date', () => {
    const text = '本平台113年12月20日(四)18時至22日(日)10時暫停服務';
    const error = refusal(`●${text}，進行服務升級維護作業。`);
    expect(error.code).toBe('announcement-unreadable');
    expect(error.message).toContain(text);
    expect(error.message).toContain('星期四');
    expect(error).toBeInstanceOf(TurnkeyError);
    expect(error.hint).toContain('turnkey maintenance add --from');
  });

  it('refuses a date that does not exist', () => {
    const text = '平台定於113年2月30日18時至3月1日6時暫停服務';
    const error = refusal(`${text}。`);
    expect(error.code).toBe('announcement-unreadable');
    expect(error.message).toContain(text);
    expect(error.message).toContain('2月30日');
  });

  it('refuses an end before its start', () => {
    const text = '平台定於112年12月24日18時至12月22日18時暫停服務';
    const error = refusal(`${text}。`);
    expect(error.code).toBe('announcement-inconsistent');
    expect(error.message).toContain(text);
  });

  it('refuses days without hours rather than assume midnight', () => {
    const text = '112年12月22日至24日暫停服務';
    const error = refusal(text);
    expect(error.code).toBe('announcement-unreadable');
    expect(error.message).toContain(text);
    expect(error.message).toContain('no hour');
  });

  it('refuses hours without a day', () => {
    const text = '平台於18時至22時暫停服務';
    const error = refusal(`${text}。`);
    expect(error.code).toBe('announcement-unreadable');
    expect(error.message).toContain(text);
  });

  it('refuses a stop with a start and no end', () => {
    const text = '平台自112年12月22日18時起暫停服務,恢復時間另行公告';
    const error = refusal('平台自112年12月22日18時起暫停服務，恢復時間另行公告。');
    expect(error.code).toBe('announcement-unreadable');
    expect(error.message).toContain(text);
  });

  it('refuses two different windows for one stop', () => {
    const first = '主旨:平台定於112年12月22日18時至12月24日18時暫停服務';
    const second = '說明:移轉作業期間(112年12月22日18時至12月25日18時)暫停平台對外所有服務';
    const error = refusal(`${first}。\n${second}。`);
    expect(error.code).toBe('announcement-inconsistent');
    expect(error.message).toContain(first);
    expect(error.message).toContain(second);
  });

  it('refuses a text with no window', () => {
    const error = refusal('主旨：新平台於112年12月24日18時起上線試營運，請查照並轉知所屬會員。');
    expect(error.code).toBe('announcement-empty');
    expect(error.hint).toContain('turnkey maintenance add');
  });
});
