"""``GET /``: every account's timeline, with images and their alt text, for a person to look at."""

from __future__ import annotations

from html import escape

from aiohttp import web

from sandbox.clock import iso_ms
from sandbox.core import Sandbox, sandbox_of
from sandbox.engagement import facebook_metrics, x_metrics
from sandbox.model import Post

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}
section{border:1px solid #ddd;border-radius:8px;margin:1rem 0;padding:0 1rem 1rem}
article{border-top:1px solid #eee;padding:.6rem 0}.meta{color:#666;font-size:.85rem}
figure{display:inline-block;margin:.4rem .6rem 0 0;max-width:14rem}img{max-width:14rem;max-height:10rem}
figcaption{font-size:.8rem;color:#444}.deleted{opacity:.45;text-decoration:line-through}
"""
SHOWN = 200  # newest posts per account


def _post_html(sb: Sandbox, post: Post, followers: int) -> str:
    now = sb.now()
    if post.platform == "x":
        m = x_metrics(sb.seed, post, followers, now)
        figures = f"{m['impression_count']} views · {m['like_count']} likes · {m['retweet_count']} reposts"
    else:
        f = facebook_metrics(sb.seed, post, followers, now)
        figures = f"{f['views']} views · {f['reactions_total']} reactions · {f['comments']} comments"
    media = "".join(
        f'<figure><img src="{escape(sb.store.media[m].source_url or "/_sandbox/media/" + m)}" '
        f'alt="{escape(sb.store.media[m].alt_text or "")}"><figcaption>alt: '
        f"{escape(sb.store.media[m].alt_text or '(none)')}</figcaption></figure>"
        for m in post.media_ids
    )
    reply = f" · reply to {escape(post.in_reply_to)}" if post.in_reply_to else ""
    link = f' · <a href="{escape(post.link)}">{escape(post.link)}</a>' if post.link else ""
    state = "deleted" if post.deleted_at else ""
    return (
        f'<article id="post-{escape(post.id)}" class="{state}"><div>{escape(post.text)}</div>{media}<div class="meta">{escape(post.id)} · '
        f"{iso_ms(post.created_at)}{reply}{link} · {figures}</div></article>"
    )


def render(sb: Sandbox) -> str:
    sections = []
    accounts = [(a.id, f"@{a.username} · X", a.followers) for a in sb.store.x_accounts.values()]
    accounts += [(p.id, f"{p.name} · Facebook Page", p.followers) for p in sb.store.pages.values()]
    for account_id, title, followers in accounts:
        posts = sb.store.timelines.get(account_id, [])
        if not posts and account_id not in (next(iter(sb.store.x_accounts)), next(iter(sb.store.pages))):
            continue  # the benchmark family would drown the page in empty sections
        items = "".join(_post_html(sb, p, followers) for p in list(reversed(posts))[:SHOWN])
        sections.append(
            f"<section><h2>{escape(title)}</h2>{items or '<p>Nothing published yet.</p>'}</section>"
        )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Platform sandbox</title><style>{_STYLE}"
        f"</style></head><body><h1>Platform sandbox</h1><p class='meta'>Sandbox time {iso_ms(sb.now())}. "
        f"Ground truth as JSON: <a href='/_sandbox/posts'>/_sandbox/posts</a>.</p>{''.join(sections)}</body></html>"
    )


async def index(request: web.Request) -> web.Response:
    return web.Response(text=render(sandbox_of(request)), content_type="text/html")
