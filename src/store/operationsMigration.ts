import type { Migration } from './Migration.js';
import { statusLetter, turnkeyDts } from './turnkeyViewSql.js';

/**
 * Migration 8: what operating the daemon needs.
 * - `message_counts`: messages per type and state, kept by MessageTransitions in the transaction of
 *   each change, so that `turnkey status` answers at once on a store of millions (a GROUP BY over
 *   them takes a tenth of a second, and grows).
 * - `messages.acknowledged_at`: an operator has seen a rejection or failure (`turnkey ack`); it no
 *   longer counts as a problem. Rejections already answered by a corrected version count as seen.
 * - `messages_invalid_recent`: the files refused lately, for status, without reading every refusal.
 * - `packs.from_routing_id`, `packs.to_routing_id`: the routing a pack was sent with (Turnkey's view has them).
 * - `sender_certificates`: the senders' certificates as the daemon last loaded them (status shows expiry).
 * - `operator_actions`: every operator command that changed something (retry, ack, resend …): the audit.
 * - Turnkey's views: FROM/TO_ROUTING_ID filled, and TURNKEY_SYSEVENT_LOG (the errors).
 */
export const OPERATIONS_MIGRATION: Migration = {
  version: 8,
  name: 'message counts, acknowledgements, routing, certificates, operator audit, TURNKEY_SYSEVENT_LOG',
  sql: `
    CREATE TABLE message_counts (
      message_type  TEXT NOT NULL,
      state         TEXT NOT NULL,
      n             INTEGER NOT NULL,
      PRIMARY KEY (message_type, state)
    ) WITHOUT ROWID;
    INSERT INTO message_counts (message_type, state, n) SELECT message_type, state, count(*) FROM messages GROUP BY message_type, state;

    ALTER TABLE messages ADD COLUMN acknowledged_at INTEGER;
    UPDATE messages SET acknowledged_at = state_changed_at
     WHERE state IN ('rejected', 'failed') AND id IN (SELECT supersedes FROM messages WHERE supersedes IS NOT NULL);
    CREATE INDEX messages_unacknowledged ON messages (state) WHERE state IN ('rejected', 'failed') AND acknowledged_at IS NULL;
    CREATE INDEX messages_invalid_recent ON messages (received_at) WHERE state = 'invalid';

    ALTER TABLE packs ADD COLUMN from_routing_id TEXT;
    ALTER TABLE packs ADD COLUMN to_routing_id TEXT;
    -- The last hour's attempts and the last confirmation, for status (packs and attempts are few: cheap to index).
    CREATE INDEX attempts_started ON attempts (started_at);
    CREATE INDEX packs_ended ON packs (ended_at) WHERE state = 'settled';

    CREATE TABLE sender_certificates (
      party_id     TEXT PRIMARY KEY,
      subject      TEXT NOT NULL,
      fingerprint  TEXT NOT NULL,
      not_after    INTEGER NOT NULL,
      recorded_at  INTEGER NOT NULL
    );

    CREATE TABLE operator_actions (
      id        INTEGER PRIMARY KEY,
      at        INTEGER NOT NULL,
      command   TEXT NOT NULL,
      -- The operating-system user who ran it.
      user      TEXT NOT NULL,
      -- What it changed, in words, and how many messages.
      summary   TEXT NOT NULL,
      messages  INTEGER NOT NULL
    );

    DROP VIEW TURNKEY_MESSAGE_LOG;
    CREATE VIEW TURNKEY_MESSAGE_LOG AS
    SELECT printf('%08d', m.id)           AS SEQNO,
           '00000'                        AS SUBSEQNO,
           m.uuid                         AS UUID,
           m.message_type                 AS MESSAGE_TYPE,
           CASE m.category WHEN 'B2SSTORAGE' THEN 'B2S' WHEN 'B2PMESSAGE' THEN 'B2P' ELSE m.category END AS CATEGORY_TYPE,
           CASE m.category WHEN 'B2SSTORAGE' THEN 'STORAGE' WHEN 'B2PMESSAGE' THEN 'MESSAGE' END AS PROCESS_TYPE,
           m.seller_id                    AS FROM_PARTY_ID,
           m.buyer_id                     AS TO_PARTY_ID,
           ${turnkeyDts('m.received_at')} AS MESSAGE_DTS,
           CAST(m.size AS TEXT)           AS CHARACTER_COUNT,
           ${statusLetter('m.state')}     AS STATUS,
           'O'                            AS IN_OUT_BOUND,
           p.from_routing_id              AS FROM_ROUTING_ID,
           p.to_routing_id                AS TO_ROUTING_ID,
           m.message_key                  AS INVOICE_IDENTIFIER
      FROM messages m
      LEFT JOIN packs p ON p.id = (SELECT max(pm.pack_id) FROM pack_messages pm WHERE pm.message_id = m.id);

    CREATE VIEW TURNKEY_SYSEVENT_LOG AS
    SELECT ${turnkeyDts('e.at')}          AS EVENTDTS,
           m.seller_id                    AS PARTY_ID,
           printf('%08d', m.id)           AS SEQNO,
           '00000'                        AS SUBSEQNO,
           e.code                         AS ERRORCODE,
           m.uuid                         AS UUID,
           m.message_type                 AS INFORMATION1,
           m.invoice_number               AS INFORMATION2,
           m.source_name                  AS INFORMATION3,
           substr(m.error_text, 1, 200)   AS MESSAGE1,
           e.to_state                     AS MESSAGE2,
           e.detail                       AS MESSAGE3,
           NULL                           AS MESSAGE4,
           NULL                           AS MESSAGE5,
           NULL                           AS MESSAGE6
      FROM message_events e
      JOIN messages m ON m.id = e.message_id
     WHERE e.kind = 'state' AND e.to_state IN ('invalid', 'rejected', 'failed');
  `,
};
