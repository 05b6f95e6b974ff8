"""A SQL statement assembled from parts, each value a named parameter.

Parts written by hand take their values with :meth:`Statement.param`; a queryset compiled by the ORM comes in
through :meth:`Statement.queryset`, its positional parameters renamed. Nothing depends on the order in which
parts are written, and no value is ever spliced into the SQL text.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from archive.replicas import reading_connection

# Django's compiled SQL doubles a literal percent sign, and marks each parameter with %s.
_PLACEHOLDER = re.compile(r"%%|%s")


class Statement:
    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        """A placeholder for ``value``."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def queryset(self, queryset: QuerySet) -> str | None:
        """The SQL of ``queryset``, with its parameters renamed into this statement; None when the ORM knows
        that nothing can match."""
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:
            return None
        values = iter(params)

        def rename(match: re.Match) -> str:
            return "%%" if match.group() == "%%" else self.param(next(values))

        renamed = _PLACEHOLDER.sub(rename, sql)
        if next(values, _END) is not _END:
            raise ValueError("the compiled query has more parameters than placeholders")
        return renamed

    def fetch_one(self, sql: str) -> tuple:
        """The first row of ``sql`` (written with this statement's placeholders), on the request's connection."""
        with reading_connection().cursor() as cursor:
            cursor.execute(sql, self.params)
            return cursor.fetchone()


_END = object()
