"""The bottom layer: column types, the clock, ids, the constraint naming and the visit kinds every feature shares.

Importing anything from here sets the constraint naming convention first, before any table is declared
(every models module imports core)."""

from api.core import naming  # noqa: F401
