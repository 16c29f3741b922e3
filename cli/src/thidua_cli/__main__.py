"""`python -m thidua_cli`: the `thidua` command."""

from thidua_cli.main import app

if __name__ == "__main__":
    app()
