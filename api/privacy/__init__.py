"""Privacy helpers: redaction of personal data in free text."""
