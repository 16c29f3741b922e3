"""`python -m thidua_registry`: run the registry service."""

from thidua_shared.http import serve

from thidua_registry.entrypoints.app import SERVICE, create_app

if __name__ == "__main__":
    serve(SERVICE, create_app)
