-- Counts in reports are not negative.
-- kind: negative_value
-- severity: warning
b.giatri < 0
