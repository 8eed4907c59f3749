import json
from dataclasses import dataclass

import pytest
import torch

from shared.decoder import AttentionRNNDecoder
from shared.pretrained import (
    ModelLoadError,
    list_pretrained,
    load_config,
    load_pretrained,
    load_weights,
    resolve_model_dir,
    save_pretrained,
    warm_start,
)


@dataclass
class TinyConfig:
    vocab_size: int = 11
    hidden_size: int = 16
    cell: str = "lstm"


def build(config: TinyConfig) -> AttentionRNNDecoder:
    return AttentionRNNDecoder(config.vocab_size, 8, config.hidden_size, 16, cell=config.cell)


def test_save_then_load_gives_identical_outputs(tmp_path):
    config = TinyConfig(cell="gru")
    model = build(config).eval()
    save_pretrained(model, tmp_path / "m", config, model_type="tiny", card="# Tiny\n")
    assert {p.name for p in (tmp_path / "m").iterdir()} == {
        "config.json",
        "model.safetensors",
        "README.md",
    }
    loaded_config = load_config(tmp_path / "m", TinyConfig, model_type="tiny")
    assert loaded_config == config
    loaded = load_weights(build(loaded_config), tmp_path / "m").eval()
    tokens, memory = torch.randint(3, 11, (2, 4)), torch.randn(2, 5, 16)
    assert torch.equal(model(tokens, memory)[0], loaded(tokens, memory)[0])


def test_missing_keys_take_defaults(tmp_path):
    (tmp_path / "config.json").write_text(
        json.dumps({"model_type": "tiny", "format_version": 1, "cell": "rnn"})
    )
    assert load_config(tmp_path, TinyConfig, model_type="tiny") == TinyConfig(cell="rnn")


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"model_type": "other", "format_version": 1}, "holds a 'other' model, not a 'tiny'"),
        ({"model_type": "tiny", "format_version": 2}, "format_version 2"),
        (
            {"model_type": "tiny", "format_version": 1, "colour": "red"},
            "unknown keys \\['colour'\\]",
        ),
    ],
)
def test_wrong_configs_are_clear_errors(tmp_path, config, message):
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelLoadError, match=message):
        load_config(tmp_path, TinyConfig, model_type="tiny")


def test_not_a_model_directory(tmp_path):
    with pytest.raises(ModelLoadError, match="not a model directory"):
        load_config(tmp_path, TinyConfig, model_type="tiny")
    with pytest.raises(ModelLoadError, match="not a directory"):
        load_config(tmp_path / "nowhere", TinyConfig, model_type="tiny")
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="not valid JSON"):
        load_config(tmp_path, TinyConfig, model_type="tiny")
    assert issubclass(ModelLoadError, ValueError)


def test_weights_of_another_shape_are_refused(tmp_path):
    save_pretrained(build(TinyConfig()), tmp_path, TinyConfig(), model_type="tiny")
    with pytest.raises(ModelLoadError, match="does not fit the model.*size mismatch"):
        load_weights(build(TinyConfig(hidden_size=8)), tmp_path)


def test_warm_start_copies_what_fits_and_leaves_new_parts_fresh(tmp_path):
    class WithExtra(AttentionRNNDecoder):
        def __init__(self) -> None:
            super().__init__(11, 8, 16, 16, cell="lstm")
            self.extra = torch.nn.Linear(3, 3)

    save_pretrained(build(TinyConfig()), tmp_path, TinyConfig(), model_type="tiny")
    saved = load_weights(build(TinyConfig()), tmp_path).state_dict()
    torch.manual_seed(1)
    model = WithExtra()
    extra_before = model.extra.weight.detach().clone()
    copied, fresh = warm_start(model, tmp_path)
    assert copied == sorted(saved) and fresh == ["extra.bias", "extra.weight"]
    own = model.state_dict()
    assert all(torch.equal(own[name], saved[name]) for name in copied)
    assert torch.equal(model.extra.weight, extra_before)
    # A smaller hidden size: only the tensors whose shapes still agree (the embedding).
    copied, fresh = warm_start(build(TinyConfig(hidden_size=8)), tmp_path)
    assert "embedding.weight" in copied and fresh and set(copied).isdisjoint(fresh)
    with pytest.raises(ModelLoadError, match="no tensor"):
        warm_start(torch.nn.Linear(2, 2), tmp_path)
    with pytest.raises(ModelLoadError, match="has no model.safetensors"):
        warm_start(model, tmp_path / "nowhere")


def test_names_and_directories_resolve(tmp_path):
    root = tmp_path / "pretrained"
    save_pretrained(build(TinyConfig()), root / "small", TinyConfig(), model_type="tiny")
    (root / "not-a-model").mkdir()
    assert list_pretrained(root) == ["small"]
    assert resolve_model_dir("small", root) == root / "small"
    assert resolve_model_dir(str(root / "small"), tmp_path) == root / "small"
    with pytest.raises(ModelLoadError, match="shipped: small"):
        resolve_model_dir("large", root)


def test_half_precision_storage_halves_the_file_and_loads_into_float32(tmp_path):
    model = build(TinyConfig(hidden_size=32)).eval()
    save_pretrained(model, tmp_path / "full", TinyConfig(hidden_size=32), model_type="tiny")
    save_pretrained(
        model, tmp_path / "half", TinyConfig(hidden_size=32), model_type="tiny", dtype=torch.float16
    )
    full = (tmp_path / "full" / "model.safetensors").stat().st_size
    half = (tmp_path / "half" / "model.safetensors").stat().st_size
    assert half < 0.55 * full
    loaded = load_weights(build(TinyConfig(hidden_size=32)), tmp_path / "half").eval()
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    tokens, memory = torch.randint(3, 11, (2, 4)), torch.randn(2, 5, 16)
    assert torch.allclose(model(tokens, memory)[0], loaded(tokens, memory)[0], atol=1e-2)


def test_model_choices_offer_added_folders_first_and_load_each_once(tmp_path):
    from shared.pretrained import ModelChoices

    (tmp_path / "shipped").mkdir()
    (tmp_path / "shipped" / "config.json").write_text("{}")
    (tmp_path / "shipped" / "README.md").write_text("# Shipped model")
    loads = []
    choices = ModelChoices(tmp_path, lambda name: loads.append(name) or object(), "tiny")
    names, start = choices.offer("/my/model", "shipped")
    assert names == choices.names() == ["/my/model", "shipped"] and start == "/my/model"
    first = choices.get("shipped")
    assert choices.get("shipped") is first and loads == ["shipped"]
    with pytest.raises(ValueError, match="No tiny model 'missing' is installed"):
        choices.get("missing")
    assert choices.card("shipped") == "# Shipped model"
    assert "No model" in choices.card("missing")


def test_model_choices_start_on_the_added_folder_else_the_preferred_shipped_one(tmp_path):
    from shared.pretrained import ModelChoices

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}")
    choices = ModelChoices(tmp_path, lambda name: object(), "tiny")
    assert choices.first("b") == "b"
    assert choices.first("gone") == "a"  # not shipped: the first one that is
    assert ModelChoices(tmp_path / "empty", object, "tiny").first("b") == "b"
    choices.add("/my/model")
    assert choices.first("b") == "/my/model"


def _broken_copy(tmp_path, **changes):
    save_pretrained(build(TinyConfig()), tmp_path / "good", TinyConfig(), model_type="tiny")
    config = json.loads((tmp_path / "good" / "config.json").read_text())
    (tmp_path / "good" / "config.json").write_text(json.dumps(config | changes))
    return tmp_path / "good"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hidden_size": "big"}, "hidden_size must be int, not str 'big'"),
        ({"hidden_size": True}, "hidden_size must be int, not bool"),
        ({"hidden_size": 32}, "does not fit the model.*size mismatch"),
        ({"cell": "transformer"}, "cannot be built"),
        ({"vocab_size": -1}, "cannot be built"),
    ],
)
def test_broken_model_folders_are_model_load_errors(tmp_path, changes, message):
    folder = _broken_copy(tmp_path, **changes)
    with pytest.raises(ModelLoadError, match=message):
        load_pretrained(folder, tmp_path / "none", TinyConfig, build, model_type="tiny")


def test_load_pretrained_gives_the_saved_model_in_eval_mode(tmp_path):
    folder = _broken_copy(tmp_path)  # unchanged
    model, directory = load_pretrained(
        folder, tmp_path / "none", TinyConfig, build, model_type="tiny"
    )
    assert directory == folder and not model.training
    with pytest.raises(ModelLoadError, match="not a shipped model"):
        load_pretrained("nothing", tmp_path, TinyConfig, build, model_type="tiny")


def test_retired_keys_of_older_folders_are_dropped(tmp_path):
    (tmp_path / "config.json").write_text(
        json.dumps({"model_type": "tiny", "format_version": 1, "cell": "gru", "old_knob": 3})
    )
    with pytest.raises(ModelLoadError, match="unknown keys"):
        load_config(tmp_path, TinyConfig, model_type="tiny")
    config = load_config(tmp_path, TinyConfig, model_type="tiny", retired=("old_knob",))
    assert config == TinyConfig(cell="gru")


@dataclass
class TinySearch:
    length_penalty: float = 0.6
    max_source_tokens: int = 200


def test_generation_config_round_trip_and_older_folders(tmp_path):
    from shared.pretrained import load_generation_config, save_generation_config

    save_generation_config(tmp_path, TinySearch(1.5, 80))
    assert load_generation_config(tmp_path, TinySearch) == TinySearch(1.5, 80)
    # A folder from before generation.json: its config.json held the search settings.
    older = tmp_path / "older"
    older.mkdir()
    (older / "config.json").write_text(
        json.dumps({"model_type": "tiny", "format_version": 1, "length_penalty": 2, "cell": "x"})
    )
    assert load_generation_config(older, TinySearch) == TinySearch(2, 200)
    (tmp_path / "generation.json").write_text(json.dumps({"beam": 3}))
    with pytest.raises(ModelLoadError, match="unknown keys \\['beam'\\]"):
        load_generation_config(tmp_path, TinySearch)
    (tmp_path / "generation.json").write_text(json.dumps({"length_penalty": "long"}))
    with pytest.raises(ModelLoadError, match="length_penalty must be float"):
        load_generation_config(tmp_path, TinySearch)
