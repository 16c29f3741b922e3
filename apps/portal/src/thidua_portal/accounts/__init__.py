"""People's accounts on the portal: passwords (Argon2id, NIST SP 800-63B rules), and, next, second factors and
sessions. Nothing here ever enters the event log."""
