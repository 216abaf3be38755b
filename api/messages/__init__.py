"""Messages: the delivery side of the events outbox (api/events). The in-app inbox, e-mail, webhooks and the
weekly digest, and the worker that fans events out to people and sends them."""
