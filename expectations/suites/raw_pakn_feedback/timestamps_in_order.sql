-- Received <= deadline, received <= answered.
-- kind: timestamp_order
-- severity: warning
b.hanxuly < b.ngaytiepnhan or b.ngaytraloi < b.ngaytiepnhan
