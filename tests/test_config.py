from pathlib import Path

import pytest

from rag.config import Settings, load_settings
from rag.errors import ConfigError


def test_defaults_then_toml_then_env_then_overrides(tmp_path: Path) -> None:
    toml = tmp_path / "rag.toml"
    toml.write_text('top_k = 6\nchat_model = "from-toml"\nport = 9000\n')
    s = load_settings(toml, env={"RAG_TOP_K": "7", "RAG_SHARE": "yes"}, port=9100)
    assert s.top_k == 7  # env beats the file
    assert s.chat_model == "from-toml"
    assert s.port == 9100  # explicit override beats env and file
    assert s.share is True
    assert load_settings(env={}).top_k == Settings().top_k


def test_overlap_must_be_smaller_than_chunk_size() -> None:
    with pytest.raises(ConfigError, match="chunk overlap 300 must be smaller than chunk size 200"):
        load_settings(env={}, chunk_tokens=200, chunk_overlap=300)


def test_unknown_setting_lists_valid_ones(tmp_path: Path) -> None:
    toml = tmp_path / "rag.toml"
    toml.write_text("topk = 3\n")
    with pytest.raises(ConfigError, match="unknown setting.*topk.*top_k"):
        load_settings(toml, env={})


def test_bad_values_name_the_setting() -> None:
    with pytest.raises(ConfigError, match="top_k"):
        load_settings(env={"RAG_TOP_K": "many"})
    with pytest.raises(ConfigError, match="RAG_SHARE"):
        load_settings(env={"RAG_SHARE": "maybe"})


def test_every_setting_is_described() -> None:
    for name, description, _ in Settings.describe():
        assert description, f"setting {name} has no description"
