{#- The rows of `relation` (a raw table) that staging keeps, as two CTEs, `changed` and `source`: for every key
    that a batch newer than the model's watermark touched (every key on a full build), the latest version of
    each record (`record`, by default the key) by `order_by`, from loaded batches only (stg_audit__batches).
    A raw table may hold many versions of a record; the keys of a night are few, so they are found through
    the _batch_id index and joined back. -#}
{% macro latest_versions(relation, key, order_by, record=none) -%}
{%- set record = record or key -%}
changed as materialized (

    select distinct {{ key | join(', ') }} from {{ relation }}
    {%- if is_incremental() %}
    where _batch_id > {{ model_watermark() }}
    {%- endif %}

),

source as (

    select distinct on ({% for k in record %}raw_rows.{{ k }}{{ ', ' if not loop.last }}{% endfor %}) raw_rows.*
    from {{ relation }} as raw_rows
    join changed using ({{ key | join(', ') }})
    where raw_rows._batch_id in (select batch_id from {{ ref('stg_audit__batches') }} where is_loaded)
    order by {% for k in record %}raw_rows.{{ k }}, {% endfor %}{{ order_by }}

)
{%- endmacro %}
