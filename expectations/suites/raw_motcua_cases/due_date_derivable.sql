-- A case without NgayHenTra has a procedure whose legal time gives one.
-- kind: no_due_date
-- severity: warning
b.ngayhentra is null and b.matthc not in (select matthc from raw.motcua_procedures where songaygiaiquyet is not null)
