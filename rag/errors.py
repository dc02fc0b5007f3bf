"""Errors meant for people: each message names the value, the limit and the fix."""


class RagError(Exception):
    """Base class of every error the assistant reports to a user."""


class ConfigError(RagError):
    """A setting has an invalid value."""


class IngestError(RagError):
    """A document could not be read or indexed."""


class ModelNotFoundError(RagError):
    """A model id is unknown or its file is not on disk."""


class ModelFetchError(RagError):
    """Fetching or verifying a model failed."""


class StoreMismatchError(RagError):
    """The store was built with other embedder or chunking settings."""


class DocumentNotFoundError(RagError):
    """No ingested document matches the given id, title or source."""


class EvalError(RagError):
    """The evaluation input (gold file, corpus) is invalid."""


class QuestionError(RagError):
    """A question is empty, too long, or asked of an empty library."""


class StoreError(RagError):
    """The store folder cannot be used (not a folder, not writable)."""


class StoreDamagedError(StoreError):
    """The store's database is damaged (truncated, overwritten, empty)."""


class ModelLoadError(RagError):
    """A model file is there but cannot be loaded (truncated, not a model of the expected format)."""
