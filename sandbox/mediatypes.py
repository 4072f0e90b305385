"""Recognising uploaded media by its bytes (what a platform does, whatever the client claims)."""

from __future__ import annotations

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def sniff(data: bytes) -> str | None:
    """The MIME type of ``data`` from its magic bytes, or None if it is nothing we accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return None
