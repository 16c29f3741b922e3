"""The platform's own Alembic branch (`platform`): the messaging tables every service has.

The runtime adds `versions/` here to each service's version locations, so a service's
own history holds only its own tables and no service copies these.
"""

from pathlib import Path

VERSIONS = Path(__file__).resolve().parent / "versions"
