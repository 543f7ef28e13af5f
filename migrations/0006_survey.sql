-- The yearly dependents' survey (被扶養者資格調査): surveys, their target dependents, one case
-- per member and survey, the member's answers, uploaded documents' metadata (the files live in
-- the document store, never here), the society's decisions and requests, and the bookkeeping
-- that makes each invitation and reminder go out at most once per case.

-- One survey of one insurer; dates are Japan calendar days, inclusive.
CREATE TABLE surveys (
  id          INTEGER PRIMARY KEY,
  insurer_id  INTEGER NOT NULL REFERENCES insurers(id),
  title       TEXT NOT NULL,
  opens_on    TEXT NOT NULL,   -- YYYY-MM-DD
  closes_on   TEXT NOT NULL,   -- YYYY-MM-DD, the deadline (inclusive)
  created_at  INTEGER NOT NULL,
  CHECK (opens_on <= closes_on)
) STRICT;
CREATE INDEX surveys_by_insurer ON surveys (insurer_id, opens_on);

-- A member with at least one target dependent in a survey has exactly one case there.
CREATE TABLE survey_cases (
  id               INTEGER PRIMARY KEY,
  survey_id        INTEGER NOT NULL REFERENCES surveys(id),
  member_id        INTEGER NOT NULL REFERENCES members(id),
  status           TEXT NOT NULL DEFAULT 'not_started' CHECK (status IN (
                     'not_started', 'in_progress', 'submitted', 'in_review',
                     'documents_requested', 'returned', 'completed')),
  submitted_at     INTEGER,                 -- the latest submission
  first_submitted_at INTEGER,               -- the queue's "oldest submission first"
  late             INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),  -- 期限後
  receipt_number   TEXT UNIQUE,             -- 受付番号, given at the first submission
  attested_at      INTEGER,                 -- 記載内容に相違ありません
  rules_effective  TEXT,                    -- the document rules' effective date it was submitted under
  review_started_at INTEGER,
  completed_at     INTEGER,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (survey_id, member_id)
) STRICT;
CREATE INDEX survey_cases_by_member ON survey_cases (member_id);
-- The review queue: by status, oldest submission first (issue 16), and the progress counts.
CREATE INDEX survey_cases_queue ON survey_cases (survey_id, status, first_submitted_at, id);
CREATE INDEX survey_cases_late ON survey_cases (survey_id, first_submitted_at) WHERE late = 1;
-- Invitations and reminders walk a survey's cases in id order, 1,000 at a time.
CREATE INDEX survey_cases_by_survey ON survey_cases (survey_id, id);

-- The dependents the society selected (import-targets); dependent_no is the 枝番-like number
-- of the dependent under the member's card, canonical (digits without leading zeros).
CREATE TABLE survey_dependents (
  id            INTEGER PRIMARY KEY,
  case_id       INTEGER NOT NULL REFERENCES survey_cases(id),
  dependent_no  TEXT NOT NULL,
  name          TEXT NOT NULL,
  name_kana     TEXT NOT NULL,
  birth_date    TEXT NOT NULL,             -- YYYY-MM-DD
  relationship  TEXT NOT NULL CHECK (relationship IN ('配偶者', '子', '父', '母', '祖父', '祖母', '兄弟姉妹', '孫', 'その他')),
  certified_on  TEXT,                      -- 認定日, may be unknown
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (case_id, dependent_no)
) STRICT;

-- The member's answers for one dependent, with the questionnaire's field names. Values of
-- questions that do not apply are stored as NULL. `complete` = every question that applies answered.
CREATE TABLE survey_answers (
  dependent_id     INTEGER PRIMARY KEY REFERENCES survey_dependents(id),
  continuation     TEXT CHECK (continuation IN ('continue', 'remove', 'pending')),
  removal_date     TEXT,
  removal_reason   TEXT CHECK (removal_reason IN ('job', 'marriage', 'income', 'apart', 'death', 'age75', 'other')),
  residence        TEXT CHECK (residence IN ('together', 'apart')),
  apart_reason     TEXT CHECK (apart_reason IN ('study', 'work', 'other')),
  monthly_support  INTEGER CHECK (monthly_support >= 0),
  lives_in_japan   TEXT CHECK (lives_in_japan IN ('yes', 'no')),
  abroad_reason    TEXT CHECK (abroad_reason IN ('study', 'accompany', 'other')),
  occupation       TEXT CHECK (occupation IN ('student', 'employee', 'self', 'pension', 'none', 'other')),
  income_salary    INTEGER CHECK (income_salary >= 0),
  income_pension   INTEGER CHECK (income_pension >= 0),
  income_business  INTEGER CHECK (income_business >= 0),
  income_other     INTEGER CHECK (income_other >= 0),
  disabled         TEXT CHECK (disabled IN ('yes', 'no')),
  complete         INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
  updated_at       INTEGER NOT NULL
) STRICT;

-- Documents' metadata. A row in state 'uploading' reserves one of the case's 30 places while
-- its file is being written (so the cap holds under concurrent uploads); it becomes 'received'
-- only once the file is stored, and a reservation older than an hour no longer counts.
CREATE TABLE survey_documents (
  id              INTEGER PRIMARY KEY,
  case_id         INTEGER NOT NULL REFERENCES survey_cases(id),
  dependent_id    INTEGER NOT NULL REFERENCES survey_dependents(id),
  kind            TEXT NOT NULL,
  media_type      TEXT,                    -- image/jpeg, image/png, application/pdf (by content)
  size            INTEGER,                 -- bytes as stored (after re-encoding)
  sha256          TEXT,                    -- of the stored content
  storage_key     TEXT NOT NULL UNIQUE,    -- random, never derived from the file's name
  has_thumbnail   INTEGER NOT NULL DEFAULT 0 CHECK (has_thumbnail IN (0, 1)),
  original_name   TEXT NOT NULL DEFAULT '', -- shown escaped, never used as a path
  state           TEXT NOT NULL CHECK (state IN ('uploading', 'received', 'accepted', 'rejected', 'deleted')),
  reason          TEXT,                    -- why rejected or deleted
  uploaded_at     INTEGER NOT NULL,
  uploaded_by_account_id INTEGER REFERENCES accounts(id),
  decided_at      INTEGER,
  decided_by_staff_id INTEGER REFERENCES staff(id),
  deleted_at      INTEGER,
  file_purged_at  INTEGER                  -- the stored file was removed (rejection, purge)
) STRICT;
CREATE INDEX survey_documents_by_case ON survey_documents (case_id, state);
CREATE INDEX survey_documents_by_dependent ON survey_documents (dependent_id);

-- The society's decision per dependent (issue 16): the latest one counts.
CREATE TABLE survey_decisions (
  dependent_id   INTEGER PRIMARY KEY REFERENCES survey_dependents(id),
  decision       TEXT NOT NULL CHECK (decision IN ('continue', 'remove', 'hold')),
  removal_date   TEXT,
  reason         TEXT,
  decided_by_staff_id INTEGER NOT NULL REFERENCES staff(id),
  decided_at     INTEGER NOT NULL
) STRICT;

-- Requests to the member (issue 16): 追加書類依頼 and 差し戻し, with the reviewer's message.
CREATE TABLE survey_requests (
  id             INTEGER PRIMARY KEY,
  case_id        INTEGER NOT NULL REFERENCES survey_cases(id),
  kind           TEXT NOT NULL CHECK (kind IN ('documents', 'return')),
  message        TEXT NOT NULL,
  due_date       TEXT,
  created_by_staff_id INTEGER NOT NULL REFERENCES staff(id),
  created_at     INTEGER NOT NULL,
  resolved_at    INTEGER
) STRICT;
CREATE INDEX survey_requests_by_case ON survey_requests (case_id, created_at);

-- Each invitation and reminder at most once per case, across runs and restarts: the row is
-- written in the same transaction as the outbox mail (outbox_id is NULL when the member has no
-- address on file; the row still records that the case was dealt with).
CREATE TABLE survey_notifications (
  case_id    INTEGER NOT NULL REFERENCES survey_cases(id),
  kind       TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder_7d', 'reminder_1d')),
  outbox_id  INTEGER REFERENCES outbox(id),
  at         INTEGER NOT NULL,
  PRIMARY KEY (case_id, kind)
) STRICT, WITHOUT ROWID;
