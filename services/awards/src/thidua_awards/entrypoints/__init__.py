"""The HTTP API, its consumers, generated documents (docx, PDF) and reports."""
