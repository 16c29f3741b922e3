"""`python -m thidua_awards`: run the awards service."""

from thidua_shared.http import serve

from thidua_awards.entrypoints.app import SERVICE, create_app

if __name__ == "__main__":
    serve(SERVICE, create_app)
