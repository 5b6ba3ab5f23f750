"""The GraphQL runtime: schema assembly, types, context and the ASGI app."""
