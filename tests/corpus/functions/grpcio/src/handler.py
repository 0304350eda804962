"""Corpus function for layer grpcio: imports it and returns something computed with it."""

import grpc


def handle(_event: dict[str, object], _context: object) -> dict[str, object]:
    return {"version": grpc.__version__, "ok": grpc.StatusCode.OK.value[0]}
