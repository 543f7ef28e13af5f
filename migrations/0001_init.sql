-- The portal's schema. Times are INTEGER milliseconds since the epoch (UTC),
-- written from the application's injected clock; dates of birth are 'YYYY-MM-DD'.

-- Health insurance societies served by this deployment.
CREATE TABLE insurers (
  id                 INTEGER PRIMARY KEY,
  code               TEXT NOT NULL UNIQUE,      -- canonical: half-width, lower case
  name               TEXT NOT NULL,             -- e.g. U-NEXT HOLDINGS健康保険組合
  call_center_phone  TEXT NOT NULL DEFAULT '',
  call_center_hours  TEXT NOT NULL DEFAULT '',
  call_center_email  TEXT NOT NULL DEFAULT '',
  office_phone       TEXT NOT NULL DEFAULT '',  -- the society's own line
  office_hours       TEXT NOT NULL DEFAULT '',
  created_at         INTEGER NOT NULL
) STRICT;

-- The society's member registry (被保険者), imported from CSV.
CREATE TABLE members (
  id                  INTEGER PRIMARY KEY,
  insurer_id          INTEGER NOT NULL REFERENCES insurers(id),
  symbol              TEXT NOT NULL,            -- 記号, canonical form
  number              TEXT NOT NULL,            -- 番号, canonical form
  birth_date          TEXT NOT NULL,            -- YYYY-MM-DD
  name                TEXT NOT NULL,            -- kanji
  name_kana           TEXT NOT NULL,            -- katakana as registered
  kana_key            TEXT NOT NULL,            -- lib/kana.ts kanaKey(name_kana)
  kana_variant_key    TEXT NOT NULL,            -- lib/kana.ts kanaVariantKey(name_kana)
  email               TEXT,                     -- pre-registered by the society, may be NULL
  status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'lost')),
  -- identity-check lock (5 failures in 30 min → 30 min); a supervisor's unlock
  -- sets signup_unlocked_at so earlier failures stop counting.
  signup_locked_until INTEGER,
  signup_unlocked_at  INTEGER,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  UNIQUE (insurer_id, symbol, number)
) STRICT;
CREATE INDEX members_by_kana ON members (kana_key, birth_date);
CREATE INDEX members_by_kana_variant ON members (kana_variant_key, birth_date);

-- A member's login. One active account per member; closed ones stay as history.
CREATE TABLE accounts (
  id                 INTEGER PRIMARY KEY,
  member_id          INTEGER NOT NULL REFERENCES members(id),
  login_id           TEXT NOT NULL COLLATE NOCASE,  -- as chosen; compared without case
  password_hash      TEXT NOT NULL,                 -- argon2id
  email              TEXT NOT NULL,
  status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
  failed_logins      INTEGER NOT NULL DEFAULT 0,    -- failures in a row
  locked_until       INTEGER,
  last_login_at      INTEGER,
  previous_login_at  INTEGER,
  password_changed_at INTEGER,
  created_at         INTEGER NOT NULL,
  closed_at          INTEGER,
  closed_reason      TEXT,                          -- 'yearly_reset' | 'staff' | …
  closed_by_staff_id INTEGER
) STRICT;
CREATE UNIQUE INDEX accounts_one_active_per_member ON accounts (member_id) WHERE status = 'active';
CREATE UNIQUE INDEX accounts_active_login_id ON accounts (login_id) WHERE status = 'active';
CREATE INDEX accounts_by_login_id ON accounts (login_id);

-- Signup step 2 → 3: what the member chose, waiting for the e-mail code.
-- Holds the argon2id hash, never the password.
CREATE TABLE signup_registrations (
  id             INTEGER PRIMARY KEY,
  member_id      INTEGER NOT NULL REFERENCES members(id),
  login_id       TEXT NOT NULL COLLATE NOCASE,
  password_hash  TEXT NOT NULL,
  email          TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  completed_at   INTEGER,
  account_id     INTEGER REFERENCES accounts(id)
) STRICT;
CREATE INDEX signup_registrations_by_member ON signup_registrations (member_id, created_at);

-- Six-digit e-mail codes (signup and e-mail change). Only the hash is kept.
CREATE TABLE email_codes (
  id               INTEGER PRIMARY KEY,
  purpose          TEXT NOT NULL CHECK (purpose IN ('signup', 'email_change')),
  member_id        INTEGER NOT NULL REFERENCES members(id),
  registration_id  INTEGER REFERENCES signup_registrations(id),
  account_id       INTEGER REFERENCES accounts(id),
  email            TEXT NOT NULL,
  code_hash        TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  failed_attempts  INTEGER NOT NULL DEFAULT 0,
  consumed_at      INTEGER,
  voided_at        INTEGER
) STRICT;
CREATE INDEX email_codes_by_member ON email_codes (member_id, created_at);

-- Every counted attempt (identity check, login, code entry, forgotten ID …),
-- for throttles and for the call center's "recent failed attempts".
CREATE TABLE attempts (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('identity', 'login', 'code', 'userid_forgot', 'password_forgot', 'staff_login')),
  success     INTEGER NOT NULL CHECK (success IN (0, 1)),
  member_id   INTEGER REFERENCES members(id),
  account_id  INTEGER REFERENCES accounts(id),
  staff_id    INTEGER,
  client_ip   TEXT NOT NULL,
  at          INTEGER NOT NULL
) STRICT;
CREATE INDEX attempts_by_member ON attempts (member_id, kind, at);
CREATE INDEX attempts_by_ip ON attempts (client_ip, kind, at);
CREATE INDEX attempts_by_account ON attempts (account_id, kind, at);

-- Forgotten-password links: single use, 30 minutes, stored as SHA-256.
CREATE TABLE password_resets (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  token_hash  TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  voided_at   INTEGER
) STRICT;
CREATE INDEX password_resets_by_account ON password_resets (account_id);

-- Terms of use, versioned per insurer; acceptances are kept for ever.
CREATE TABLE terms_versions (
  id            INTEGER PRIMARY KEY,
  insurer_id    INTEGER NOT NULL REFERENCES insurers(id),
  version       INTEGER NOT NULL,
  body_markdown TEXT NOT NULL,
  published_at  INTEGER NOT NULL,
  UNIQUE (insurer_id, version)
) STRICT;

CREATE TABLE terms_acceptances (
  id                INTEGER PRIMARY KEY,
  account_id        INTEGER NOT NULL REFERENCES accounts(id),
  terms_version_id  INTEGER NOT NULL REFERENCES terms_versions(id),
  accepted_at       INTEGER NOT NULL,
  client_ip         TEXT NOT NULL,
  UNIQUE (account_id, terms_version_id)
) STRICT;

-- Notices from the society on my page.
CREATE TABLE notices (
  id            INTEGER PRIMARY KEY,
  insurer_id    INTEGER NOT NULL REFERENCES insurers(id),
  title         TEXT NOT NULL,
  body          TEXT NOT NULL,
  published_at  INTEGER NOT NULL,
  until_date    TEXT              -- YYYY-MM-DD inclusive (Japan time), NULL = no end
) STRICT;
CREATE INDEX notices_by_insurer ON notices (insurer_id, published_at);

-- Every mail, written in the same transaction as the change that caused it,
-- then sent by the outbox worker. Bodies of mails that carry a code or link
-- are erased once delivered.
CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL,     -- e.g. 'signup_code', 'signup_done', 'password_reset'
  insurer_id       INTEGER REFERENCES insurers(id),
  member_id        INTEGER REFERENCES members(id),
  account_id       INTEGER REFERENCES accounts(id),
  to_address       TEXT NOT NULL,
  subject          TEXT NOT NULL,
  text_body        TEXT,
  html_body        TEXT,
  sensitive        INTEGER NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1)),
  created_at       INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  sent_at          INTEGER,
  message_id       TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
CREATE INDEX outbox_by_member ON outbox (member_id, created_at);

-- express-session store (src/http/session-store.ts). account_id / staff_id let
-- a password change or reset end every session of that person.
CREATE TABLE sessions (
  sid         TEXT PRIMARY KEY,
  sess        TEXT NOT NULL,
  expires_at  INTEGER NOT NULL,
  account_id  INTEGER,
  staff_id    INTEGER
) STRICT;
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_account ON sessions (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX sessions_by_staff ON sessions (staff_id) WHERE staff_id IS NOT NULL;

-- Call-center staff, separate from members.
CREATE TABLE staff (
  id                    INTEGER PRIMARY KEY,
  login_id              TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role                  TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
  password_hash         TEXT NOT NULL,
  must_change_password  INTEGER NOT NULL DEFAULT 1 CHECK (must_change_password IN (0, 1)),
  totp_secret           TEXT,        -- base32, set at enrolment
  totp_enrolled_at      INTEGER,
  totp_last_step        INTEGER,     -- refuses a TOTP code used twice
  failed_logins         INTEGER NOT NULL DEFAULT 0,
  locked_at             INTEGER,
  disabled_at           INTEGER,
  all_insurers          INTEGER NOT NULL DEFAULT 0 CHECK (all_insurers IN (0, 1)),
  created_at            INTEGER NOT NULL
) STRICT;

CREATE TABLE staff_insurers (
  staff_id    INTEGER NOT NULL REFERENCES staff(id),
  insurer_id  INTEGER NOT NULL REFERENCES insurers(id),
  PRIMARY KEY (staff_id, insurer_id)
) STRICT;

-- Append-only audit trail of the call-center console.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  staff_id     INTEGER REFERENCES staff(id),
  staff_login  TEXT NOT NULL,
  client_ip    TEXT NOT NULL,
  action       TEXT NOT NULL,     -- 'signin', 'signout', 'search', 'view_member', 'send_userid', 'unlock', 'close_account', 'view_audit', …
  query        TEXT,              -- what was searched, without secrets
  member_id    INTEGER REFERENCES members(id),
  reason       TEXT,
  detail       TEXT
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE INDEX audit_log_by_member ON audit_log (member_id, at);
CREATE INDEX audit_log_by_staff ON audit_log (staff_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
