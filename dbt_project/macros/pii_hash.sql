{#- Keyed SHA-256 of a personal value, for joins that need "same person" without the person.
    The key lives in private.pii_hash_key (filled from PII_HASH_KEY by the pipeline), so it never
    appears in compiled SQL, logs or the repository. Values are trimmed and lower-cased first. -#}
{% macro pii_hash(expression) -%}
    case when nullif(trim({{ expression }}), '') is null then null
         else encode(sha256(convert_to(
             (select hash_key from {{ source('private', 'pii_hash_key') }}) || '|' || lower(trim({{ expression }})), 'UTF8')), 'hex')
    end
{%- endmacro %}
