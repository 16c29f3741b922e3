"""`python -m thidua_scoring`: run the scoring service."""

from thidua_shared.http import serve

from thidua_scoring.entrypoints.app import SERVICE, create_app

if __name__ == "__main__":
    serve(SERVICE, create_app)
