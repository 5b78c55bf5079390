-- Received <= finished <= result handed over.
-- kind: timestamp_order
-- severity: warning
b.ngayketthuc < b.ngaytiepnhan or b.ngaytraketqua < b.ngayketthuc
