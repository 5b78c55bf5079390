-- One row per case: its judging due date (from events, else the record, else derived from the legal
-- working days), how it ended, and whether it finished early, on time or late (local calendar dates).
-- A view: fct_cases materialises it for the cases that changed each night.
{{ classify_cases() }}
