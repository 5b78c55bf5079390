-- One row per case (latest version), classified: the fact table behind every case KPI. No personal data:
-- the applicant appears only as a keyed hash.
select * from {{ ref('int_cases_classified') }}
