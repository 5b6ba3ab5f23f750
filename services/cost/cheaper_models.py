"""Curated "one tier down" models of the same provider, keyed by genai-prices `provider:model`.

Only real, current catalog models; a suggestion is made only when re-pricing the agent's actual
token volumes on the candidate is cheaper.
"""

CHEAPER_MODELS: dict[str, tuple[str, ...]] = {
    "openai:gpt-4": ("gpt-4o", "gpt-4o-mini"),
    "openai:gpt-4-turbo": ("gpt-4o", "gpt-4o-mini"),
    "openai:gpt-4o": ("gpt-4o-mini", "gpt-4.1-mini"),
    "openai:gpt-4.1": ("gpt-4.1-mini",),
    "openai:gpt-4.1-mini": ("gpt-4.1-nano",),
    "openai:gpt-4o-mini": ("gpt-4.1-nano",),
    "openai:o1": ("o3", "o4-mini"),
    "openai:o3": ("o4-mini",),
    "openai:gpt-5": ("gpt-5-mini",),
    "openai:gpt-5-mini": ("gpt-5-nano",),
    "anthropic:claude-3-opus-latest": ("claude-3-5-sonnet",),
    "anthropic:claude-opus-4-0": ("claude-sonnet-4-0",),
    "anthropic:claude-opus-4-1": ("claude-sonnet-4-5",),
    "anthropic:claude-sonnet-4-0": ("claude-3-5-haiku-latest", "claude-haiku-4-5"),
    "anthropic:claude-sonnet-4-5": ("claude-haiku-4-5",),
    "anthropic:claude-3-7-sonnet-latest": ("claude-3-5-haiku-latest",),
    "anthropic:claude-3-5-sonnet": ("claude-3-5-haiku-latest",),
    "google:gemini-1.5-pro": ("gemini-1.5-flash",),
    "google:gemini-2.5-pro": ("gemini-2.5-flash",),
    "google:gemini-2.5-flash": ("gemini-2.5-flash-lite",),
    "google:gemini-2.0-flash": ("gemini-2.0-flash-lite",),
}
