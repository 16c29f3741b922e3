from thidua_shared.db import run_alembic_env

from thidua_portal.adapters.tables import metadata

run_alembic_env(metadata)
