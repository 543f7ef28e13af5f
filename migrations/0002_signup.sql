-- Signup step 2 refuses a login ID that another member's open registration holds
-- (compared without case, as the column's NOCASE collation does), and completion
-- finds a code's registration: both look-ups need an index once a society's whole
-- membership signs up each year.
CREATE INDEX signup_registrations_by_login_id ON signup_registrations (login_id);
CREATE INDEX email_codes_by_registration ON email_codes (registration_id) WHERE registration_id IS NOT NULL;
