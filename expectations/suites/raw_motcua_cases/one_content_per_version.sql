-- The same case and NgayCapNhat never comes with two different contents.
-- kind: conflicting_versions
-- severity: critical
(b.mahoso, b.ngaycapnhat) in (
    -- the contents compared only where a version comes more than once: sorting every row to count distinct
    -- contents took 6 s on a year's batches
    select mahoso, ngaycapnhat from {batch}
    where (mahoso, ngaycapnhat) in (select mahoso, ngaycapnhat from {batch} group by 1, 2 having count(*) > 1)
    group by mahoso, ngaycapnhat
    having count(distinct (trangthai, ngayketthuc, ngayhentra, madonvi, matthc)) > 1
)
