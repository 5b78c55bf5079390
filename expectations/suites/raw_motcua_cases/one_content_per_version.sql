-- The same case and NgayCapNhat never comes with two different contents.
-- kind: conflicting_versions
-- severity: critical
(b.mahoso, b.ngaycapnhat) in (
    select mahoso, ngaycapnhat from {batch}
    group by mahoso, ngaycapnhat
    having count(distinct (trangthai, ngayketthuc, ngayhentra, madonvi, matthc)) > 1
)
