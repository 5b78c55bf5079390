-- The province this warehouse belongs to (PROVINCE_CODE, PROVINCE_NAME): one row, the key every mart row carries.
select {{ province_code() }} as province_code, {{ sql_text(env_var('WH_PROVINCE_NAME')) }} as province_name
