"""The portal's HTTP face: pages, static files, the headers every answer carries."""
