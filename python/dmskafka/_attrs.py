"""The read-write properties the official classes spell out one by one."""


def attr(name):
    """A property over the instance attribute `_<name>`."""
    private = "_" + name
    return property(lambda self: getattr(self, private), lambda self, value: setattr(self, private, value))
