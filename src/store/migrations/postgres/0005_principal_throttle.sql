-- Guess throttling per principal (`iam-mfa.md` §2.5): consecutive MFA checks naming a serial
-- the principal does not hold. Kept on the principal's own row, so it goes with the user.
ALTER TABLE users ADD COLUMN mfa_serial_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN mfa_serial_locked_until BIGINT;
ALTER TABLE accounts ADD COLUMN mfa_serial_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN mfa_serial_locked_until BIGINT;
