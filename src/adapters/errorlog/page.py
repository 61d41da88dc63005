"""The operators' page: one static HTML file (no data in it) whose script calls the error-log API with the bearer
token the operator enters. Invoice data is put into the page as text only, never as markup, and the Content
Security Policy allows exactly the page's own inline script and style (by hash) and requests to this origin."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route


def _hashes(html: str, tag: str) -> str:
    blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.DOTALL)
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks)


@lru_cache(maxsize=1)
def _page() -> tuple[str, str]:
    html = resources.files("adapters.errorlog").joinpath("errors.html").read_text(encoding="utf-8")
    policy = (f"default-src 'none'; script-src {_hashes(html, 'script')}; style-src {_hashes(html, 'style')}; "
              "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return html, policy


async def errors_page(_request: Request) -> Response:
    html, policy = _page()
    return HTMLResponse(html, headers={"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
                                       "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})


def page_route() -> Route:
    return Route("/errors", errors_page, methods=["GET"])
