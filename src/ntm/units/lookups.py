"""`path__startswith` on SQLite as a range the path index can answer.

SQLite cannot use an index for `LIKE 'x%' ESCAPE '\\'` (Django's startswith), so every filter
on a unit's subtree read the whole path index: ~5 ms a query on the national unit list, and a
dashboard makes dozens of them. `path >= '/6/' AND path < '/60'` finds the same rows through
the index (~0.1 ms): paths are digits and slashes compared byte by byte (SQLite's BINARY
collation), so the strings from the prefix up to, not including, the prefix with its last
character raised by one are exactly those that start with the prefix. PostgreSQL keeps LIKE:
Django gives the column a pattern-ops index for it, and a range would follow the database's
collation, which may not order '/' and digits byte by byte.
"""

from django.db.models.lookups import StartsWith


class PathStartsWith(StartsWith):
    def as_sqlite(self, compiler, connection):
        prefix = self.rhs
        if not self.rhs_is_direct_value() or not isinstance(prefix, str) or not prefix:
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, prefix, upper]
