import type { Lang } from '../../validation/messages.js';

/** What to do about each problem code, in each language `turnkey status` speaks. */
const FIXES: Record<string, Record<Lang, string>> = {
  'tracks-running-out': {
    en:
      "At this rate the period's numbers run out before it ends: apply for more booklets now (on the platform, or the tax office's " +
      'form: 1-3 working days), then `turnkey tracks import` the new allocation (or let its E0501 arrive).',
    'zh-TW':
      '依目前用量，本期字軌號碼將於期末前用完：請立即申請增加本數（於平台取號，或向稽徵機關送申請書，約 1-3 個工作天），' +
      '取得後以 `turnkey tracks import` 匯入（或待 E0501 下載）。',
  },
  'blank-report-due': {
    en:
      "The last period's unused numbers (E0402) are due by the 10th and not reported: see `turnkey tracks --period <period>` for what " +
      'holds them back, settle it (e.g. `turnkey retry`), then `turnkey tracks blank --period <period>`.',
    'zh-TW':
      '上期空白未使用字軌（E0402）須於 10 日前申報，尚未申報：以 `turnkey tracks --period <期別>` 查看原因並排除（例如 `turnkey retry`），' +
      '再執行 `turnkey tracks blank --period <期別>`。',
  },
  'blank-report-waiting': {
    en: "turnkey reports the last period's unused numbers (E0402) by itself once nothing holds them back; the detail says what does.",
    'zh-TW': '待無阻礙後，turnkey 會自動申報上期空白未使用字軌（E0402）；說明欄列出目前的阻礙。',
  },
  'daemon-not-running': {
    en: 'Start it: `systemctl start turnkey` (or the Windows service, or `turnkey start`). It recovers whatever a stop left half done.',
    'zh-TW': '請啟動它：`systemctl start turnkey`（或 Windows 服務，或 `turnkey start`）。它會接續上次停止時未完成的工作。',
  },
  'messages-failed': {
    en:
      'The platform kept refusing these, or their signed files are gone: see `turnkey list --state failed`, fix the cause, then ' +
      '`turnkey retry --state failed`; `turnkey ack <number>` when nothing more is to be done.',
    'zh-TW':
      '平台一再拒絕或已簽章檔案遺失：請以 `turnkey list --state failed` 查看，排除原因後執行 `turnkey retry --state failed`；' +
      '無須再處理者以 `turnkey ack <號碼>` 確認。',
  },
  'messages-rejected': {
    en:
      'The platform refused these messages: see `turnkey list --state rejected` and each one with `turnkey status <number>`; correct ' +
      'them in the ERP and drop them again (a corrected version replaces a rejected one), then `turnkey ack <number>`.',
    'zh-TW':
      '平台拒收這些訊息：以 `turnkey list --state rejected` 及 `turnkey status <號碼>` 查看原因，於 ERP 更正後重新放入（更正版會取代' +
      '被拒版本），再以 `turnkey ack <號碼>` 確認。',
  },
  'deadline-at-risk': {
    en:
      'Messages are close to (or past) their legal upload deadline and not yet at the platform: check why sending is slow or stopped ' +
      '(problems above, the platform, the network).',
    'zh-TW': '有訊息接近或已超過法定上傳期限但尚未送達平台：請檢查傳送緩慢或停止的原因（上列問題、平台、網路）。',
  },
  'breaker-open': {
    en: "The platform cannot be reached: turnkey tries again by itself and loses nothing. Check the network and the platform's news.",
    'zh-TW': '無法連上平台：turnkey 會自動重試，不會遺失資料。請檢查網路及平台公告。',
  },
  'stuck-uploaded': {
    en:
      'The platform has these packs but sent no result yet: it queues packs at peak times; if this lasts, check that results can be ' +
      "fetched (SFTP login) and the platform's news.",
    'zh-TW': '平台已收到但尚未回覆結果：尖峰時段平台會排隊處理；若持續過久，請確認可取得結果（SFTP 登入）及平台公告。',
  },
  'filing-failed': {
    en:
      'Make the folder writable by the user running turnkey and check the free disk space; the files wait in WORK and are filed by ' +
      'themselves once it takes them.',
    'zh-TW': '請讓執行 turnkey 的使用者可寫入該資料夾並檢查磁碟空間；檔案暫留 WORK，可寫入後會自動歸檔。',
  },
  'claim-refused': {
    en:
      'Check the permissions of the SRC folder (the turnkey user must be able to move files out of it) and whether another program ' +
      'keeps the file open.',
    'zh-TW': '請檢查 SRC 資料夾權限（turnkey 使用者須能移出檔案），以及是否有其他程式開著該檔案。',
  },
  'folder-unusable': {
    en:
      'Make UpCast/<CATEGORY>/<MIG>/ and its SRC, WORK, BAK and ERR folders folders the turnkey user can write (not files, not missing ' +
      'mounts).',
    'zh-TW': '請讓 UpCast/<類別>/<MIG>/ 及其 SRC、WORK、BAK、ERR 成為 turnkey 使用者可寫入的資料夾（不是檔案、不是未掛載的磁碟）。',
  },
  'intake-failed': {
    en: 'See the daemon log (event intake-error): usually the disk under the database is full or not writable.',
    'zh-TW': '請查看 daemon 記錄（事件 intake-error）：通常是資料庫所在磁碟已滿或無法寫入。',
  },
  'pack-failed': {
    en: 'See the daemon log (event pack-failed): the outbox folder must be writable and the certificate usable.',
    'zh-TW': '請查看 daemon 記錄（事件 pack-failed）：outbox 資料夾須可寫入、憑證須可用。',
  },
  'packs-without-sender': {
    en:
      'Put the sender back in platform.senders (its BAN, certificate and transport account) and restart: its packs are then sent and ' +
      'their results collected.',
    'zh-TW': '請將該傳送者重新加入 platform.senders（統編、憑證、傳送帳號）並重新啟動，其封包才會送出並取得結果。',
  },
  'access-not-tightened': {
    en:
      'The files and folders listed belong to another user or sit on a share that keeps no modes: give them to the user running ' +
      'turnkey (chown) and restart, or make them owner-only by hand. With the group setting, the user running turnkey must be a member ' +
      'of that group.',
    'zh-TW':
      '所列檔案屬於其他使用者或位於不保留權限的共用磁碟：請改由執行 turnkey 的使用者擁有（chown）後重新啟動，或手動設為僅擁有者可用。',
  },
  'downcast-failed': {
    en: 'Make the DownCast folder writable by the turnkey user and check the free disk space; the result files are written once it can.',
    'zh-TW': '請讓 turnkey 使用者可寫入 DownCast 資料夾並檢查磁碟空間；可寫入後會補寫結果檔。',
  },
  'login-refused': {
    en:
      "The platform refuses the transport account's login: check platform.transport (id and password) against the account the " +
      'platform gave you, and whether it was locked. Sending resumes by itself once a login works (tried every few minutes).',
    'zh-TW': '平台拒絕傳送帳號登入：請核對 platform.transport（帳號與密碼）及帳號是否被鎖定。登入恢復後會自動繼續傳送（每隔數分鐘重試）。',
  },
  'host-key-changed': {
    en:
      "The platform's SSH host key is not the one in platform.sftp.knownHostsFile: confirm the new key with the platform (never " +
      'accept it blindly), write it there and restart.',
    'zh-TW': '平台的 SSH 主機金鑰與 platform.sftp.knownHostsFile 不符：請向平台確認新金鑰（切勿盲目接受），寫入後重新啟動。',
  },
  'gateway-untrusted': {
    en:
      "The gateway's TLS certificate is not trusted (self-signed, expired or another host's), so no password was sent to it: check " +
      'platform.gateway.baseUrl; for a private CA or a company TLS proxy, put its certificate in platform.gateway.caFile and restart ' +
      '(or run `turnkey retry --holds` once the platform has fixed its certificate).',
    'zh-TW':
      '閘道的 TLS 憑證不受信任（自簽、過期或主機名稱不符），因此未送出密碼：請核對 platform.gateway.baseUrl；若為私有 CA 或公司的 TLS ' +
      '代理，請將其憑證設於 platform.gateway.caFile 後重新啟動（平台修正憑證後，亦可執行 `turnkey retry --holds`）。',
  },
  'certificate-not-registered': {
    en:
      "The platform cannot verify this sender's signature (E0004): register the .cer of its .pfx on the platform, or configure the " +
      'certificate that is registered, and restart (or `turnkey retry --holds`). Messages already refused with E0004 need ' +
      '`turnkey retry`.',
    'zh-TW':
      '平台無法驗證此傳送者的簽章（E0004）：請於平台註冊該 .pfx 的 .cer，或改設已註冊的憑證，再重新啟動（或 `turnkey retry --holds`）。' +
      '已被 E0004 拒收的訊息請執行 `turnkey retry`。',
  },
  'certificate-expired': {
    en: "Renew the sender's certificate, register the new .cer on the platform, configure the new .pfx and restart.",
    'zh-TW': '請更新傳送者憑證，於平台註冊新的 .cer，設定新的 .pfx 後重新啟動。',
  },
  'certificate-expiring': {
    en: 'Renew the certificate before it expires and register the new .cer on the platform; then configure the new .pfx and restart.',
    'zh-TW': '請於到期前更新憑證並於平台註冊新的 .cer，再設定新的 .pfx 並重新啟動。',
  },
  'feed-unreadable': {
    en: 'Check the maintenance feed (its URL or file, and its format); the windows it gave before are kept until it reads again.',
    'zh-TW': '請檢查維護公告來源（網址或檔案及格式）；可讀取前會保留先前的維護時段。',
  },
  'not-a-file': {
    en:
      'Entries of SRC that are not regular files (links, FIFOs, folders) were moved to ERR with a report; have the ERP write the ' +
      'message files themselves.',
    'zh-TW': 'SRC 中非一般檔案者（連結、FIFO、資料夾）已連同報告移至 ERR；請讓 ERP 直接寫入訊息檔本身。',
  },
  unreadable: {
    en: "Files the turnkey user could not read were moved to ERR with a report; fix the ERP's file permissions and drop them again.",
    'zh-TW': 'turnkey 使用者無法讀取的檔案已連同報告移至 ERR；請修正 ERP 的檔案權限後重新放入。',
  },
  encoding: {
    en: "Files that are not UTF-8 (UTF-16, UTF-32, Big5, NUL bytes) were refused; set the ERP's export to UTF-8 and drop them again.",
    'zh-TW': '非 UTF-8 的檔案（UTF-16、UTF-32、Big5、NUL 位元組）已被拒收；請將 ERP 匯出設為 UTF-8 後重新放入。',
  },
};

const DEFAULT_FIX: Record<Lang, string> = {
  en: 'Read the reports beside the refused files in ERR (<name>.err.txt), correct the messages and drop them again.',
  'zh-TW': '請閱讀 ERR 中被拒檔案旁的報告（<檔名>.err.txt），更正訊息後重新放入。',
};

export function fixFor(code: string, lang: Lang): string {
  return FIXES[code]?.[lang] ?? DEFAULT_FIX[lang];
}
