-- The 8-digit 保険者番号 printed on members' cards (e.g. 06139999). Members who look for the
-- 保険者指定コード on their card find this number instead; the identity check accepts it as an
-- alias of the code. Optional, unique when set. A code can never equal another insurer's
-- number: `portal insurer add|update` refuses it.
ALTER TABLE insurers ADD COLUMN insurer_number TEXT;
CREATE UNIQUE INDEX insurers_by_number ON insurers (insurer_number) WHERE insurer_number IS NOT NULL;
