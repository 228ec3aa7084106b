"""Alembic environment: migrations run on the connection that ``pontes.store`` hands over.

``pontes.store.database.migrate`` puts an open connection in
``config.attributes["connection"]``; there is no ``alembic.ini`` and no URL here.
"""

from alembic import context
from pontes.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
