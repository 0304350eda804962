"""The one exception the CLI turns into `error: ...` and a non-zero exit."""


class LayerError(Exception):
    """A problem a user can fix; the message names what, where and what to do."""
