"""What survives a restart: the Store protocol and rows, portable SQL, SQLite and PostgreSQL."""
