"""The awards service: rule sets, nominations and their dossiers, secret ballots, public posting,
decisions and certificates, award history and the statistical reports."""
