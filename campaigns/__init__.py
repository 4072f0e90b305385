"""Campaign scheduler: YAML campaign specs in, posts on X and Facebook out, on time and exactly once."""

__version__ = "0.1.0"
