-- The throttles count failures only (success = 0), but every success is recorded too: with the
-- full indexes a count walked every success from the address or member record in the window
-- (on deadline day, thousands behind one carrier's NAT address). Partial indexes hold the
-- failures alone, so each count reads only what it counts.
CREATE INDEX attempts_failures_by_ip ON attempts (client_ip, kind, at) WHERE success = 0;
CREATE INDEX attempts_failures_by_member ON attempts (member_id, kind, at) WHERE success = 0;
