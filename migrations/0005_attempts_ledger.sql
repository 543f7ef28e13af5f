-- The failure ledger (src/features/attempts) gets what its throttles and the call center need:
--  * address_key: the client address as every per-address limit counts it — an IPv4-mapped
--    IPv6 address as its IPv4, any other IPv6 address by its /64 (one subscriber's network);
--    client_ip keeps the address as seen.
--  * mismatch: for an identity check against a real registry row, what did not match
--    ('birthdate', 'name' or 'both'), shown to the call center, never to the member.
--  * kind 'login_id_taken': signup step 2 answered "this ID is already used" (throttled).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt. Nothing refers to it.
CREATE TABLE attempts_new (
  id           INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('identity', 'login', 'code', 'userid_forgot', 'password_forgot', 'staff_login', 'login_id_taken')),
  success      INTEGER NOT NULL CHECK (success IN (0, 1)),
  member_id    INTEGER REFERENCES members(id),
  account_id   INTEGER REFERENCES accounts(id),
  staff_id     INTEGER,
  client_ip    TEXT NOT NULL,
  address_key  TEXT NOT NULL,
  mismatch     TEXT CHECK (mismatch IN ('birthdate', 'name', 'both')),
  at           INTEGER NOT NULL
) STRICT;

INSERT INTO attempts_new (id, kind, success, member_id, account_id, staff_id, client_ip, address_key, at)
SELECT id, kind, success, member_id, account_id, staff_id, client_ip,
       CASE WHEN client_ip LIKE '::ffff:%.%' THEN substr(client_ip, 8) ELSE client_ip END,
       at
FROM attempts;

DROP TABLE attempts;
ALTER TABLE attempts_new RENAME TO attempts;

-- Throttles count failures only; successes are recorded for the call center's history.
CREATE INDEX attempts_failures_by_address ON attempts (address_key, kind, at) WHERE success = 0;
CREATE INDEX attempts_failures_by_member ON attempts (member_id, kind, at) WHERE success = 0;
CREATE INDEX attempts_by_address ON attempts (address_key, kind, at);
CREATE INDEX attempts_by_member ON attempts (member_id, kind, at);
CREATE INDEX attempts_by_account ON attempts (account_id, kind, at);
