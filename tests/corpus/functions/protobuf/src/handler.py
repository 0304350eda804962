"""Corpus function for layer protobuf: imports it and returns something computed with it."""

from google import protobuf
from google.protobuf import json_format, struct_pb2
from google.protobuf.internal import api_implementation


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    message = struct_pb2.Struct()
    message.update({"a": 1})
    return {
        "version": protobuf.__version__,
        "implementation": api_implementation.Type(),
        "json": json_format.MessageToDict(message),
    }
