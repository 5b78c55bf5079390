-- A receipt (TIEP_NHAN) sets the due date.
-- kind: no_due_date
-- severity: warning
b.loaisukien = 'TIEP_NHAN' and b.ngayhentramoi is null
