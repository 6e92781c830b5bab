import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import type { FeedSettings } from '../config/types.js';
import type { MaintenanceWindows } from '../store/MaintenanceWindows.js';
import type { Problems } from '../store/Problems.js';
import { parseFeed } from './parseFeed.js';

/** Problem code (daemon area) of a feed that cannot be read. */
export const FEED_UNREADABLE = 'feed-unreadable';

/** A feed is a small document: more than this is not one. */
const MAX_FEED_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 15_000;

/**
 * Reads the announcement feeds (URLs and files) and makes the store's windows of each feed what the
 * feed says now: a window added there appears, one removed there disappears. A feed that cannot be
 * read or understood keeps the windows it gave before and is a problem in `turnkey status` until
 * it reads again.
 */
export class FeedPoller {
  constructor(
    private readonly feeds: readonly FeedSettings[],
    private readonly windows: MaintenanceWindows,
    private readonly problems: Problems,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private polling: Promise<string> | null = null;

  /**
   * Reads every feed; returns a line for the job's record. A reading already under way (the
   * schedule's, start-up's, a refused login's) is shared, so an older reading never lands after a newer one.
   */
  poll(): Promise<string> {
    this.polling ??= Promise.all(this.feeds.map((feed) => this.pollOne(feed)))
      .then((outcomes) => outcomes.join('; ') || 'no feeds')
      .finally(() => (this.polling = null));
    return this.polling;
  }

  private async pollOne(feed: FeedSettings): Promise<string> {
    let windows;
    try {
      const text = feed.kind === 'file' ? await readLocal(feed.location) : await fetchText(feed.location);
      windows = parseFeed(text, feed.format, new Date(this.now()));
    } catch (err) {
      const detail = `the maintenance feed ${feed.location} cannot be read: ${err instanceof Error ? err.message : String(err)}`;
      if (this.problems.raise(feed.location, FEED_UNREADABLE, detail))
        this.logger.warn({ event: FEED_UNREADABLE, feed: feed.location }, detail);
      return `${feed.location}: unreadable`;
    }
    const { added, removed } = this.windows.sync(
      'feed',
      feed.location,
      windows.map((w) => ({ startsAt: w.startsAt, endsAt: w.endsAt, reason: w.reason })),
    );
    if (this.problems.resolve(feed.location, FEED_UNREADABLE))
      this.logger.info({ event: 'feed-readable', feed: feed.location }, 'the maintenance feed reads again');
    if (added > 0 || removed > 0)
      this.logger.info({ event: 'feed-windows-changed', feed: feed.location, added, removed }, 'maintenance windows changed');
    return `${feed.location}: ${windows.length} window(s), ${added} added, ${removed} removed`;
  }
}

async function readLocal(path: string): Promise<string> {
  const bytes = await readFile(path);
  if (bytes.length > MAX_FEED_BYTES) throw new Error(`larger than ${MAX_FEED_BYTES} bytes`);
  return bytes.toString('utf8');
}

/** Certificates verified whatever NODE_TLS_REJECT_UNAUTHORIZED says: a forged feed could announce windows that stall sending. */
const VERIFIED = new Agent({ connect: { rejectUnauthorized: true } });

async function fetchText(url: string): Promise<string> {
  const response = await request(url, { method: 'GET', dispatcher: VERIFIED, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_FEED_BYTES) {
      response.body.destroy();
      throw new Error(`larger than ${MAX_FEED_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
  return Buffer.concat(chunks).toString('utf8');
}
