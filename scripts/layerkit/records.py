"""`Record`: one entry of the manifest (a layer artifact, a layer version or a function zip) as JSON holds it."""

from typing import Any

Record = dict[str, Any]
