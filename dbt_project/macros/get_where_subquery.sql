{#- Tests take `where: "__tonight__"` (set for every test in dbt_project.yml): on an incremental model (whose
    rows carry source_batch_id, the build's watermark) they check only the rows this build wrote, so the
    nightly test cost follows the day's changes; rows from earlier nights were tested when they were written,
    and unique keys are also enforced by unique indexes. On any other model the placeholder means "all rows".
    Any other `where` works as in dbt. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where == '__tonight__' -%}
        {%- set incremental = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model'
                and node.relation_name == (relation | string) and node.config.materialized == 'incremental' -%}
            {%- do incremental.append(node.name) -%}
        {%- endfor -%}
        {%- if incremental and execute and load_relation(relation) is not none -%}
            {#- the newest watermark as a literal: compared with a subquery's value, the planner cannot tell how
                few rows carry it and reads the whole table -#}
            {%- set newest = run_query('select max(source_batch_id) from ' ~ relation).columns[0].values()[0] -%}
            {%- set where = 'source_batch_id = ' ~ (newest | int if newest is not none else 'null') -%}
        {%- elif incremental -%}
            {%- set where = 'source_batch_id = (select max(source_batch_id) from ' ~ relation ~ ')' -%}
        {%- else -%}
            {%- set where = none -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        (select * from {{ relation }} where {{ where }}) dbt_subquery
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
