"""``python -m sandbox --port N``: the same as ``campaigns sandbox``."""

from campaigns.commands.sandbox import sandbox

sandbox(prog_name="python -m sandbox")
