"""Corpus function for layer zope-interface: imports it and returns something computed with it."""

from importlib import metadata

from zope import interface


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    class IGreeter(interface.Interface):
        pass

    @interface.implementer(IGreeter)
    class Greeter:
        pass

    return {"version": metadata.version("zope.interface"), "provided": IGreeter.providedBy(Greeter())}
