"""`python -m thidua_campaigns`: run the campaigns service."""

from thidua_shared.http import serve

from thidua_campaigns.entrypoints.app import SERVICE, create_app

if __name__ == "__main__":
    serve(SERVICE, create_app)
