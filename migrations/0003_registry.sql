-- One member import at a time: `portal import-members` takes this row before it reads the
-- file and deletes it when done. A row left by a process that died (same host, pid gone) is
-- taken over; anything else makes a second import stop with a message naming the first.
CREATE TABLE registry_import_lock (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  host        TEXT NOT NULL,
  pid         INTEGER NOT NULL,
  token       TEXT NOT NULL,             -- random, so only the owner releases it
  source      TEXT NOT NULL,             -- the file being imported, for the message
  started_at  INTEGER NOT NULL
) STRICT;
