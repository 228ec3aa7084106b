"""The entry point of the OData engine: one vendor's dialect over one schema."""

from __future__ import annotations

from collections.abc import Mapping

from .dialect import Dialect
from .evaluate import Evaluator
from .model import Schema
from .options import read_query
from .query import Query


class QueryEngine:
    """Reads the query options of requests to an API described by ``schema``, the way
    ``dialect`` says its vendor does."""

    def __init__(self, dialect: Dialect, schema: Schema):
        self.dialect = dialect
        self.schema = schema
        self.evaluator = Evaluator(dialect, schema)

    def parse(self, entity: str, params: Mapping[str, str]) -> Query:
        """The checked options of a request for a collection of ``entity`` records (query
        parameters without a ``$`` are ignored); ``ODataError`` when the vendor would
        refuse them."""
        return read_query(self.evaluator, self.schema[entity], params)
