"""`python -m thidua_portal`: run the portal on THIDUA_PORTAL_PORT (8100 by default)."""

from thidua_shared.http import serve
from thidua_shared.topology import PORTAL

from thidua_portal.entrypoints.app import create_app

if __name__ == "__main__":
    serve(PORTAL, create_app)
