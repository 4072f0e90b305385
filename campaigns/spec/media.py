"""Checks on the images attached to posts: where they are, what they are, how big."""

from __future__ import annotations

from pathlib import Path

# Platform limits for still images (X: 5 MB; Facebook Page photos: 4 MB is Meta's documented size).
IMAGE_LIMITS = {"twitter": 5 * 1024 * 1024, "facebook": 4 * 1024 * 1024}
ALT_TEXT_MAX = 1000  # X's limit for alt text; Facebook accepts more, so this is the binding one
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def image_type(head: bytes) -> str | None:
    """The image's MIME type from its first bytes, or None if it is not an image we can post."""
    for signature, mime in _SIGNATURES.items():
        if head.startswith(signature):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_problems(image: str, resolved: Path, root: Path, channels: list[str]) -> list[str]:
    """What is wrong with an image file for the given channels (empty when it is fine)."""
    if not resolved.is_relative_to(root):
        return [f"image {image!r} is outside the specs folder: keep images next to the spec files"]
    if not resolved.is_file():
        return [f"image {image!r} not found (looked for {resolved})"]
    with resolved.open("rb") as handle:
        head = handle.read(16)
    if image_type(head) is None:
        return [f"{image!r} is not a PNG, JPEG, GIF or WebP image"]
    size = resolved.stat().st_size
    return [
        f"image {image!r} is {size / 1_048_576:.1f} MB, over {channel}'s {IMAGE_LIMITS[channel] // 1_048_576} MB limit"
        for channel in channels
        if size > IMAGE_LIMITS[channel]
    ]
