"""Bodies compressed once and sent many times, with their ETag: cached map geometry."""

import gzip
import hashlib
from dataclasses import dataclass

import brotli
from flask import Response, request

# Compressed once per cached body, so a slower, denser setting pays off on every later request;
# above BIG bytes (a province's whole desa grid) the densest settings would take seconds.
GZIP_LEVEL = 9
BROTLI_QUALITY = 9
BIG = 1_000_000
BIG_GZIP_LEVEL = 6
BIG_BROTLI_QUALITY = 5


@dataclass(frozen=True)
class Precompressed:
    """One response body as is, gzip and brotli, and its strong ETag (of the raw bytes)."""

    raw: bytes
    gzip: bytes
    br: bytes
    etag: str

    @classmethod
    def of(cls, raw: bytes) -> "Precompressed":
        big = len(raw) > BIG
        return cls(
            raw=raw,
            gzip=gzip.compress(raw, BIG_GZIP_LEVEL if big else GZIP_LEVEL, mtime=0),
            br=brotli.compress(raw, quality=BIG_BROTLI_QUALITY if big else BROTLI_QUALITY),
            etag=hashlib.blake2b(raw, digest_size=12).hexdigest(),
        )


def send_precompressed(
    body: Precompressed, mimetype: str, *, public: bool, max_age: int = 86400
) -> Response:
    """The body in the best encoding the client accepts (brotli, gzip, none); 304 when its
    If-None-Match names this ETag. `public` lets shared caches keep it; otherwise only the
    user's own browser may (a scoped user's layer is theirs)."""
    cache_control = f"{'public' if public else 'private'}, max-age={max_age}"
    if body.etag in request.if_none_match:
        response = Response(status=304)
    else:
        accepted = request.accept_encodings
        if accepted["br"]:
            data, encoding = body.br, "br"
        elif accepted["gzip"]:
            data, encoding = body.gzip, "gzip"
        else:
            data, encoding = body.raw, None
        response = Response(data, mimetype=mimetype)
        if encoding:
            response.headers["Content-Encoding"] = encoding
    response.set_etag(body.etag)
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = "Accept-Encoding" if public else "Accept-Encoding, Cookie"
    return response
