"""Runtime plumbing of the warehouse: configuration, the embedded server, database bootstrap, dbt, the CLI."""
