"""The persistent world: SQLAlchemy tables, Alembic migrations, transactional reads and writes."""
