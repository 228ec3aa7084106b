"""What one vendor's API accepts in OData query options, and how it reads them."""

from __future__ import annotations

from dataclasses import dataclass

STANDARD_OPTIONS = frozenset({"$filter", "$select", "$expand", "$orderby", "$top", "$skip"})
"""The options every dialect may accept; ``COUNT_OPTIONS`` may be added to them."""

COUNT_OPTIONS = frozenset({"$count", "$inlinecount"})
"""The options that ask for the number of matching records: OData v4's ``$count=true``
and OData v3's ``$inlinecount=allpages`` (or ``none``)."""

FUNCTIONS = frozenset({"contains", "startswith", "endswith", "tolower", "toupper"})
"""The ``$filter`` functions the engine knows; a dialect allows some or none of them."""


@dataclass(frozen=True)
class Dialect:
    """The OData of one vendor.

    - ``max_top``: the most rows a collection answer holds: a larger ``$top`` is cut to
      it, silently, and it is the page size when ``$top`` is absent. Collections inside
      ``$expand`` are cut only when they carry a ``$top`` of their own.
    - ``options``: the system query options accepted (any other ``$`` parameter is
      refused; parameters without ``$`` are left to the endpoint). ``$count`` and
      ``$inlinecount`` are never accepted inside ``$expand``.
    - ``functions``: the ``$filter`` functions accepted, among ``FUNCTIONS``.
    - ``ignore_case``: option names, keywords (``and``, ``eq``, ``any``, ``true``...),
      function names and property names match whatever their case. Range variables and
      the ``asc``/``desc`` of ``$orderby`` are compared as OData always does (variables
      exactly, directions in any case).
    - ``simple_conditions``: every ``$filter`` condition is ``property op literal`` or a
      lambda (``any``/``all``); bare boolean values, property-to-property comparisons
      and functions used as conditions are refused.
    - ``loose_comparisons``: a property compared with a literal is read as the
      literal's type (text holding a number as a number, any value as text against a
      text literal, text as a date-time against a date-time literal), and a comparison
      that still cannot be made is false. Otherwise values compare only when their
      types agree, and ordering values of different types is an error.
    - ``absent_members_are_null``: reading a member that an object of no declared type
      lacks, or a member of a plain value, gives null. Otherwise it is an error.
    - ``default_orderby``: the ``$orderby`` of top-level collections that have none
      (``None``: the order the records are given in).
    - ``next_links``: an answer that ``max_top`` cut short says where the rest is
      (OData's server-driven paging, ``@odata.nextLink``): see ``Query.next_page``.

    Every dialect compares text without regard to case, as the vendors' databases do.
    """

    max_top: int
    options: frozenset[str] = STANDARD_OPTIONS
    functions: frozenset[str] = frozenset()
    ignore_case: bool = False
    simple_conditions: bool = False
    loose_comparisons: bool = False
    absent_members_are_null: bool = False
    default_orderby: str | None = None
    next_links: bool = False

    def __post_init__(self) -> None:
        if self.max_top < 1:
            raise ValueError(f"max_top must be at least 1, got {self.max_top}")
        unknown_options = self.options - STANDARD_OPTIONS - COUNT_OPTIONS
        if unknown_options:
            raise ValueError(f"options the engine does not know: {sorted(unknown_options)}")
        unknown_functions = self.functions - FUNCTIONS
        if unknown_functions:
            raise ValueError(f"functions the engine does not know: {sorted(unknown_functions)}")

    def word(self, text: str) -> str:
        """``text`` as keywords and option names are compared in this dialect."""
        return text.lower() if self.ignore_case else text
