/** The languages turnkey speaks: its messages, reports and the CLI. */
export type Lang = 'en' | 'zh-TW';
export const LANGS: readonly Lang[] = ['en', 'zh-TW'];
