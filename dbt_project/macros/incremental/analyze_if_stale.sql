{#- Statistics for an incremental model, only when they are missing or stale. A new table (first build, full
    refresh) is analysed at once, so the next models are planned on real row counts; a night that changed a
    few rows of a large table does not pay for an ANALYZE whose cost grows with the table (autovacuum's own
    rule, 10% of the rows changed, applies, counting the changes of earlier nights). -#}
{% macro analyze_if_stale(relation) -%}
do $$
begin
    if (select (s.last_analyze is null and s.last_autoanalyze is null)
               or coalesce(s.n_mod_since_analyze, 0) > 0.1 * greatest(c.reltuples, 0)
        from pg_class as c left join pg_stat_user_tables as s on s.relid = c.oid
        where c.oid = '{{ relation }}'::regclass) then
        analyze {{ relation }};
    end if;
end
$$
{%- endmacro %}
