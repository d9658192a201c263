"""torch's named result tuples: ``values, indices = x.sort()`` or ``x.sort().indices``.

``return_type("sort", "values", "indices")`` makes a tuple subclass with those fields
that prints as torch's ``torch.return_types.sort(\\nvalues=...,\\nindices=...)``.
"""

from __future__ import annotations


def return_type(name: str, *fields: str) -> type:
    """A tuple subclass called ``name`` whose items are also the attributes ``fields``
    (made once per name and kept in this module, so results pickle)."""
    if name in globals():
        return globals()[name]

    def __new__(cls, *values):
        if len(values) != len(fields):
            raise TypeError(f"torch.return_types.{name} takes a {len(fields)}-sequence "
                            f"({len(values)}-sequence given)")
        return tuple.__new__(cls, values)

    def __repr__(self):
        items = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{items})"

    attrs = {"__slots__": (), "__new__": __new__, "__repr__": __repr__, "__str__": __repr__,
             "__getnewargs__": lambda self: tuple(self), "_fields": fields, "__module__": __name__}
    for i, f in enumerate(fields):
        attrs[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    cls = globals()[name] = type(name, (tuple,), attrs)
    return cls
