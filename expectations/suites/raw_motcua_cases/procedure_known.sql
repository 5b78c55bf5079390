-- The procedure code is in the procedure catalogue (dm_tthc).
-- kind: unknown_procedure
-- severity: warning
b.matthc not in (select matthc from raw.motcua_procedures)
