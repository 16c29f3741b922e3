"""The `thidua` command line: runs the system and talks to the services over HTTP."""
