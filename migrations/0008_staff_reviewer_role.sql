-- migrate: foreign_keys off
-- Staff get a third role, `reviewer` (the survey's review). SQLite cannot change a
-- CHECK constraint in place, so the table is rebuilt as SQLite's ALTER TABLE page
-- describes: new table, copy every row with its id, drop, rename. The runner turns
-- foreign keys off around this file (staff_insurers, audit_log and sessions point at
-- staff rows) and runs foreign_key_check before it commits.
CREATE TABLE staff_new (
  id                    INTEGER PRIMARY KEY,
  login_id              TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role                  TEXT NOT NULL CHECK (role IN ('operator', 'reviewer', 'supervisor')),
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

INSERT INTO staff_new (id, login_id, role, password_hash, must_change_password, totp_secret, totp_enrolled_at,
  totp_last_step, failed_logins, locked_at, disabled_at, all_insurers, created_at)
SELECT id, login_id, role, password_hash, must_change_password, totp_secret, totp_enrolled_at,
  totp_last_step, failed_logins, locked_at, disabled_at, all_insurers, created_at
FROM staff;

DROP TABLE staff;
ALTER TABLE staff_new RENAME TO staff;
