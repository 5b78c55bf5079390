-- The portal's published rate and points agree with ours within ref_766_tolerances.
-- kind: official_766_differs
-- severity: warning
select agency_id, period_id, 1 as rows_affected,
       array[indicator_id || ' ' || coalesce(agency_id, 'tỉnh') || ': '
             || case higher_side when 'official' then 'official higher' else 'ours higher' end
             || ' by ' || round(abs(rate_difference) * 100, 2) || ' percentage points (official '
             || round(official_rate * 100, 2) || ' %, ours ' || round(our_rate * 100, 2) || ' %)'
             || coalesce(', points ' || official_points || ' vs ' || our_points, '')] as example_keys
from {batch}
where exceeds_tolerance
