"""The app in-process: its lifespan run for real, requests through httpx's ASGI transport."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette

from graph.app import create_app
from services.settings import Settings


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Starlette]]:
    """An httpx client talking to `create_app(settings)` in this process."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.9", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://aw.test") as client:
            yield client, app
