{#- Statistics for an incremental model, only when they are missing or stale. A new table (first build, full
    refresh) is analysed at once, so the next models are planned on real row counts; a night that changed a
    few rows of a large table does not pay for an ANALYZE whose cost grows with the table (autovacuum's own
    rule, 10% of the rows changed, applies, counting the changes of earlier nights).
    But every night's rows carry a batch number the statistics have never seen, and the next models pick them
    by it (source_batch_id > watermark): planned as one row where there were 13,000, a join of the night's
    cases read every event of the year (4 s instead of 0.4). So a night that changed rows also analyses that
    one column from a small sample (3,000 rows, 50 ms on 6 M); it leaves the change count for the rule above. -#}
{% macro analyze_if_stale(relation) -%}
do $$
declare
    stats record;
begin
    select (s.last_analyze is null and s.last_autoanalyze is null)
               or coalesce(s.n_mod_since_analyze, 0) > 0.1 * greatest(c.reltuples, 0) as is_stale,
           coalesce(tonight.n_tup_ins, 0) > 0 as has_changed  -- this build's own transaction wrote rows
      into stats
      from pg_class as c
      left join pg_stat_user_tables as s on s.relid = c.oid
      left join pg_stat_xact_user_tables as tonight on tonight.relid = c.oid
     where c.oid = '{{ relation }}'::regclass;
    if stats.is_stale then
        analyze {{ relation }};
    elsif stats.has_changed then
        perform set_config('default_statistics_target', '10', true);
        analyze {{ relation }} (source_batch_id);
    end if;
end
$$
{%- endmacro %}
