{#- Helpers that make the nightly build cost follow the day's changes, not the history.

    Every incremental model stores `source_batch_id`: the newest raw batch (stg_audit__batches) its rows are up to
    date with. On an incremental run a model reads its own watermark (the largest source_batch_id it holds)
    and recomputes only what batches after it can have changed. A model that failed last night still holds
    the old watermark, so it catches up on the next run; nothing is skipped. This relies on batch ids growing
    with time and on ingestion and dbt not running at once (nightly_load has max_active_runs=1). -#}

{% macro raw_watermark() -%}
    (select coalesce(max(batch_id), 0) from {{ ref('stg_audit__batches') }} where is_loaded)
{%- endmacro %}

{#- The model's watermark as a literal, read before the model's SQL runs: with a subquery in its place the
    planner cannot see how few raw rows are newer and scans whole tables instead of using their indexes. -#}
{% macro model_watermark() -%}
    {%- if is_incremental() and execute -%}
        {{- run_query('select coalesce(max(source_batch_id), -1) from ' ~ this).columns[0].values()[0] | int -}}
    {%- else -%}-1{%- endif -%}
{%- endmacro %}

{#- Case ids whose case record or events changed after `since` (a watermark), as a subquery. Callers that
    join it to large tables put it in a `materialized` CTE, so PostgreSQL looks the few ids up by index. -#}
{% macro changed_case_ids(since) -%}
    (select case_id from {{ ref('stg_motcua__cases') }} where source_batch_id > {{ since }}
     union
     select case_id from {{ ref('stg_motcua__case_events') }} where source_batch_id > {{ since }})
{%- endmacro %}

{#- The data's moment (int_data_as_of): the latest delivery of the province's own data, as it stood when the
    raw batches up to `upto` were loaded (a model's watermark: the moment its last build measured up to), or
    now. -#}
{% macro data_as_of(upto=none) -%}
    (select max(delivered_at) from {{ ref('stg_audit__batches') }}
     where is_loaded and source <> 'dvcqg_766'{% if upto is not none %} and batch_id <= {{ upto }}{% endif %})
{%- endmacro %}

{#- True for a period of int_periods_measured (columns prefixed `alias`) measured otherwise now than by a build
    at watermark `since`: the data's moment has moved since, and the period was not over then (its cut-off is on
    or after that build's data date), so its end moved with it (ends_at is the data's moment for a period not
    over). A period begun since is among them. -#}
{% macro is_remeasured_since(since, alias='') -%}
    ({{ alias }}cutoff_date >= {{ local_date(data_as_of(since)) }} and {{ data_as_of() }} > {{ data_as_of(since) }})
{%- endmacro %}

{#- The periods of `kinds` a change can reach: from the earliest receipt date among the changed cases (and
    feedback, if asked) onwards, plus every period measured otherwise now than at the model's last build. -#}
{% macro periods_to_refresh(kinds, since, with_cases=true, with_feedback=false) -%}
    (select period_id from {{ ref('int_periods_measured') }}
     where period_kind in {{ text_literals(kinds) }}
       {%- if is_incremental() %}
       and ({{ is_remeasured_since(since) }}
            or cutoff_date >= least(
            {%- if with_cases %}
            (select min(received_date) from {{ ref('fct_cases') }} where source_batch_id > {{ since }}),
            {%- endif %}
            {%- if with_feedback %}
            (select min(received_date) from {{ ref('fct_feedback') }} where source_batch_id > {{ since }}),
            {%- endif %}
            'infinity'::date))
       {%- endif %})
{%- endmacro %}

{#- The periods of `kinds` that an incremental `relation` (a model keyed by period) rewrote rows of since this
    model's watermark, and those measured otherwise now than at this model's last build: a model built from it
    rebuilds them, whole. Every row `relation` writes carries the new source_batch_id, so a period's newest batch,
    one backward step on the (period_id, source_batch_id) index, tells (int_case_period_states rewrites only the
    rows that changed; a period whose rows did not change may still be measured to a later moment). Written as a
    join or with `source_batch_id > watermark`, the planner, which cannot see how many rows are newer than the
    watermark (tonight's rows are past the statistics), read every new row once per period:
    a second per model on a long history. The list is read before the model's SQL runs and written in as
    literals, as model_watermark is, so the planner sees the few periods and reads only their rows. On a full
    build: every period of those kinds. -#}
{% macro periods_rebuilt_in(relation, kinds) -%}
    {%- set of_kinds = 'period_kind in ' ~ text_literals(kinds) -%}
    {%- if is_incremental() and execute -%}
        {%- set watermark = model_watermark() -%}
        {%- set probe -%}
            select periods.period_id from {{ ref('int_periods_measured') }} as periods
            where {{ of_kinds }}
              and ((select max(rebuilt.source_batch_id) from {{ relation }} as rebuilt
                    where rebuilt.period_id = periods.period_id) > {{ watermark }}
                   or {{ is_remeasured_since(watermark, 'periods.') }})
            order by periods.period_id
        {%- endset -%}
        {{- text_literals(probe_values(probe)) -}}
    {%- else -%}
        (select period_id from {{ ref('int_periods_measured') }} where {{ of_kinds }})
    {%- endif -%}
{%- endmacro %}

{#- A list of strings (period kinds, or values read with run_query) as an SQL list of literals for `x in ...`; `(null)` when empty (matches
    nothing). -#}
{% macro text_literals(values) -%}
    ({%- for value in values %}'{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}
     {%- else %}null{% endfor -%})
{%- endmacro %}

{#- A case's last moment that int_case_period_states compares with a period's end (infinity while it is open):
    a case whose last moment is before a period's former end has the same rows whatever later end the period
    is measured to. Indexed on fct_cases. -#}
{% macro case_last_moment() -%}
    greatest(coalesce(ended_at, 'infinity'::timestamptz), received_at, first_request_at, first_completed_at,
             second_request_at, apology_at, second_apology_at)
{%- endmacro %}

{#- A case (alias `cases`) touches a period (alias `periods`): received before its end, not ended before its
    start. -#}
{% macro case_touches_period(cases='cases', periods='periods') -%}
    ({{ cases }}.received_at < {{ periods }}.ends_at
     and ({{ cases }}.ended_at is null or {{ cases }}.ended_at >= {{ periods }}.starts_at))
{%- endmacro %}

{#- The values of a one-column query, run before the model's SQL (empty when not executing). -#}
{% macro probe_values(query) -%}
    {%- if execute -%}
        {{- return(run_query(query).columns[0].values()) -}}
    {%- else -%}
        {{- return([]) -}}
    {%- endif -%}
{%- endmacro %}
