"""The events outbox: a row per thing that happened, written in the transaction that made it happen.

Features below the messages package (auth, pain points, visits, themes) call `record`; api/messages reads
the rows and delivers them. This package imports only core and db, so every emitter may use it.
"""
