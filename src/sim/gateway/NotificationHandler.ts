import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { NameError, parseCommonName } from '../../protocol/names.js';
import type { AccountRegistry, SimAccount } from '../accounts/AccountRegistry.js';
import type { PackQueue } from '../processing/PackQueue.js';
import type { SimDatabase } from '../record/SimDatabase.js';
import type { SimEvents } from '../SimEvents.js';
import type { SimLogger } from '../SimLogger.js';
import type { SimLayout } from '../storage/SimLayout.js';
import { parseBasicAuth } from './basicAuth.js';
import type { Pfs001Body } from '../../protocol/pfs001Body.js';
import { checkNotificationBody } from './checkNotificationBody.js';
import { acceptedBody, GatewayRefusal, type GatewayAnswerBody } from './GatewayAnswer.js';
import { inspectSignedFile, SIGNED_FILE_HEAD_BYTES, type UploadedFile } from './inspectSignedFile.js';

export interface NotificationDeps {
  accounts: AccountRegistry;
  layout: SimLayout;
  db: SimDatabase;
  queue: PackQueue;
  /** Required `action` per message type (e.g. F0401 → C0401); other types take any action. */
  actions: Readonly<Record<string, string>>;
  events: SimEvents;
  logger: SimLogger;
}

export interface NotificationOutcome {
  httpStatus: number;
  headers: Record<string, string>;
  body: GatewayAnswerBody;
  /** The authenticated account, when there is one. */
  account: string | null;
  filename: string | null;
  retry: number | null;
  /** `accepted`, `already-accepted`, or the refusal code. */
  code: string;
}

/**
 * PFS001 `uploadInvoiceMessage`: checks who calls (HTTP Basic and the body's login, both), the
 * body, the file in `in/`, and queues the pack. Everything from finding the earlier record of
 * the file to recording the new one runs without yielding, so two notifications of the same file
 * cannot both queue it. A retry (`retry` > 0) of a file accepted before is answered as accepted
 * again and not processed twice.
 */
export class NotificationHandler {
  constructor(private readonly deps: NotificationDeps) {}

  handle(authorization: string | undefined, contentType: string | undefined, raw: Buffer): NotificationOutcome {
    const credentials = parseBasicAuth(authorization);
    const account = credentials ? this.deps.accounts.authenticate(credentials.user, credentials.password) : null;
    if (!credentials || !account) {
      return this.refused(
        new GatewayRefusal('auth-failed', 'HTTP Basic authentication with the transport id and password is required'),
        null,
        null,
        null,
        {
          'WWW-Authenticate': 'Basic realm="einvoice-gateway", charset="UTF-8"',
        },
      );
    }
    if (!contentType || !/^application\/json\b/i.test(contentType)) {
      return this.refused(new GatewayRefusal('body-invalid', 'Content-Type must be application/json'), account, null, null);
    }
    let data: unknown;
    try {
      data = JSON.parse(raw.toString('utf8'));
    } catch {
      return this.refused(new GatewayRefusal('body-invalid', 'the body is not JSON'), account, null, null);
    }
    const notice = checkNotificationBody(data);
    if (notice instanceof GatewayRefusal) {
      const filename = typeof (data as { filename?: unknown })?.filename === 'string' ? (data as { filename: string }).filename : null;
      return this.refused(notice, account, filename, null);
    }
    const refusal = this.checkAgainstAccount(notice, credentials.user, account);
    if (refusal) return this.refused(refusal, account, notice.filename, notice.retry);
    return this.accept(notice, account);
  }

  private checkAgainstAccount(notice: Pfs001Body, basicUser: string, account: SimAccount): GatewayRefusal | null {
    if (notice.loginId !== basicUser || !account.passwordMatches(notice.loginPassword)) {
      return new GatewayRefusal(
        'login-mismatch',
        'loginId and loginPassword must be the transport id and password of the Basic authentication',
        ['loginId'],
      );
    }
    let name: ReturnType<typeof parseCommonName>;
    try {
      name = parseCommonName(notice.filename);
    } catch (error) {
      if (error instanceof NameError) return new GatewayRefusal('filename-invalid', error.message, ['filename']);
      throw error;
    }
    if (notice.migVersion !== '4.1')
      return new GatewayRefusal('field-invalid', `migVersion "${notice.migVersion}" is not supported; MIG 4.1 is in force`, ['migVersion']);
    if (name.migVersion !== notice.migVersion) {
      return new GatewayRefusal('field-invalid', `migVersion ${notice.migVersion} differs from the file name's ${name.migVersion}`, [
        'migVersion',
      ]);
    }
    if (name.messageType !== notice.messageType) {
      return new GatewayRefusal('field-invalid', `messageType ${notice.messageType} differs from the file name's ${name.messageType}`, [
        'messageType',
      ]);
    }
    const service = /^[AB]/.test(notice.messageType) ? 'E' : 'S';
    if (notice.serviceType !== service) {
      return new GatewayRefusal('field-invalid', `serviceType must be "${service}" for ${notice.messageType}`, ['serviceType']);
    }
    const action = this.deps.actions[notice.messageType];
    if (action !== undefined && notice.action !== action) {
      return new GatewayRefusal('field-invalid', `action must be "${action}" for ${notice.messageType}`, ['action']);
    }
    const from = notice.transFrom;
    if (from.partyInfo.partyId !== account.partyId || from.routingInfo.routingId !== account.routingId) {
      return new GatewayRefusal(
        'routing-mismatch',
        `transFrom must be the account's party ${account.partyId} and routing id ${account.routingId}`,
        ['transFrom'],
      );
    }
    return null;
  }

  private accept(notice: Pfs001Body, account: SimAccount): NotificationOutcome {
    const { db, layout, queue, logger } = this.deps;
    const inPath = join(layout.inDir(account.transportId), notice.filename);
    const file = uploadedFile(inPath);
    const earlier = db.findPack(account.transportId, notice.filename);

    if (earlier) {
      if (notice.retry === 0) {
        return this.refused(
          new GatewayRefusal(
            'duplicate-notification',
            `${notice.filename} was accepted before; a repeated notification must count its retries (retry > 0)`,
            ['retry'],
          ),
          account,
          notice.filename,
          notice.retry,
        );
      }
      if (file) {
        if (this.digestOf(account.transportId, notice.filename, file) !== earlier.sha256) {
          return this.refused(
            new GatewayRefusal('file-conflict', `${notice.filename} was accepted before with other bytes`, ['filename']),
            account,
            notice.filename,
            notice.retry,
          );
        }
        // The same file uploaded again: it is already held, so the copy in in/ is consumed.
        unlinkSync(inPath);
      }
      logger.info(
        { account: account.transportId, filename: notice.filename, retry: notice.retry },
        'notification repeated; already accepted',
      );
      return this.answer(200, acceptedBody('already-accepted', notice.filename), account, notice, 'already-accepted');
    }

    if (!file) {
      return this.refused(
        new GatewayRefusal('file-not-found', `${notice.filename} is not in in/`, ['filename']),
        account,
        notice.filename,
        notice.retry,
      );
    }
    const facts = inspectSignedFile(file, notice);
    if (facts instanceof GatewayRefusal) return this.refused(facts, account, notice.filename, notice.retry);

    // The platform takes the file from in/ into its own keeping, byte for byte, under the uploaded name.
    const storedPath = join(layout.receivedDir(account.transportId), notice.filename);
    const digest = this.digestOf(account.transportId, notice.filename, file);
    renameSync(inPath, storedPath);
    const pack = db.insertPack({
      account: account.transportId,
      filename: notice.filename,
      messageType: notice.messageType,
      serviceType: notice.serviceType,
      action: notice.action,
      quantity: notice.quantity,
      size: notice.size,
      zip: notice.zip === '1',
      sha256: digest,
      storedPath,
      transFrom: notice.transFrom,
      transTo: notice.transTo,
    });
    queue.enqueue(pack);
    logger.info({ account: account.transportId, filename: notice.filename, quantity: notice.quantity }, 'pack accepted for processing');
    return this.answer(200, acceptedBody('accepted', notice.filename), account, notice, 'accepted');
  }

  /**
   * The file's SHA-256: the one recorded when it was uploaded (only uploads put files in in/, and
   * each is recorded), or computed when there is no record of this size.
   */
  private digestOf(account: string, name: string, file: UploadedFile): string {
    const recorded = this.deps.db.lastReceivedFile(account, name);
    if (recorded && recorded.size === file.size) return recorded.sha256;
    return createHash('sha256').update(file.readWhole()).digest('hex');
  }

  private answer(httpStatus: number, body: GatewayAnswerBody, account: SimAccount, notice: Pfs001Body, code: string): NotificationOutcome {
    return { httpStatus, headers: {}, body, account: account.transportId, filename: notice.filename, retry: notice.retry, code };
  }

  private refused(
    refusal: GatewayRefusal,
    account: SimAccount | null,
    filename: string | null,
    retry: number | null,
    headers: Record<string, string> = {},
  ): NotificationOutcome {
    this.deps.logger.warn({ account: account?.transportId ?? null, filename, code: refusal.code }, 'notification refused');
    return {
      httpStatus: refusal.httpStatus,
      headers,
      body: refusal.body(),
      account: account?.transportId ?? null,
      filename,
      retry,
      code: refusal.code,
    };
  }
}

/** The file in in/, read lazily: its head always, the whole only when needed (a zip, a digest). */
function uploadedFile(path: string): UploadedFile | null {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return null;
    size = stats.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const head = Buffer.alloc(Math.min(size, SIGNED_FILE_HEAD_BYTES));
  const fd = openSync(path, 'r');
  try {
    let read = 0;
    while (read < head.length) {
      const n = readSync(fd, head, read, head.length - read, read);
      if (n === 0) break;
      read += n;
    }
  } finally {
    closeSync(fd);
  }
  let whole: Buffer | null = null;
  return { size, head, readWhole: () => (whole ??= readFileSync(path)) };
}
