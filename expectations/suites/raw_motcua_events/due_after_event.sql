-- A due date set by an event is not before the event.
-- kind: timestamp_order
-- severity: warning
b.ngayhentramoi < b.thoidiem and b.loaisukien in ('TIEP_NHAN', 'NHAN_BO_SUNG')
