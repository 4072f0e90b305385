"""The dashboard: the service's web face for comms staff (``campaigns web``, and inside ``campaigns run``).

Server-rendered pages (Starlette + Jinja2, one CSS file, a few lines of JavaScript) over the same
store functions the CLI uses. Every page needs a login (``campaigns users``); see ``app.py``.
"""
