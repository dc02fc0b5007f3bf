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


def test_per_model_calibration_comes_from_the_catalogue_unless_a_setting_overrides_it(tmp_path: Path) -> None:
    from rag.build import answerability_threshold, library_tokens, names_forgiven_at
    from rag.models import Catalog

    catalog_file = tmp_path / "catalog.toml"
    catalog_file.write_text(
        '[[model]]\nid = "tuned"\nkind = "chat"\nanswerability_threshold = 0.4\nlibrary_tokens = 1500\n'
        'names_forgiven_at = 0.85\n'
        '[[model.files]]\nname = "tuned.gguf"\nsha256 = "00"\n'
        '[[model]]\nid = "plain"\nkind = "chat"\n[[model.files]]\nname = "plain.gguf"\nsha256 = "11"\n'
    )
    catalog = Catalog.load(catalog_file)
    tuned = load_settings(env={}, chat_model="tuned")
    assert answerability_threshold(tuned, catalog) == 0.4 and library_tokens(tuned, catalog) == 1500
    assert names_forgiven_at(tuned, catalog) == 0.85
    plain = load_settings(env={}, chat_model="plain")
    assert answerability_threshold(plain, catalog) == 0.0 and library_tokens(plain, catalog) == 0
    assert names_forgiven_at(plain, catalog) == 0.0
    assert names_forgiven_at(load_settings(env={"RAG_NAMES_FORGIVEN_AT": "0"}, chat_model="tuned"), catalog) == 0.0
    forced = load_settings(env={"RAG_ANSWERABILITY_THRESHOLD": "0.7", "RAG_LIBRARY_TOKENS": "0"}, chat_model="tuned")
    assert answerability_threshold(forced, catalog) == 0.7 and library_tokens(forced, catalog) == 0
