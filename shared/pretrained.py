"""Models on disk: a directory with ``config.json``, ``model.safetensors``, the vocabulary or
tokenizer files and a model card ``README.md``. Loading never unpickles."""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import torch
from safetensors.torch import load_file, load_model, save_file, save_model

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
CARD_NAME = "README.md"
GENERATION_NAME = "generation.json"

C = TypeVar("C")


class ModelLoadError(ValueError):
    """A directory that cannot be loaded as the requested model (a clear message says why)."""


def save_config(
    directory: str | Path, config: Any, *, model_type: str, format_version: int = 1
) -> Path:
    """Write ``config.json`` alone: ``model_type``, ``format_version`` and the fields of the
    ``config`` dataclass (say, to change a setting of a saved model without its weights)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    payload = {"model_type": model_type, "format_version": format_version}
    payload.update(dataclasses.asdict(config))
    (directory / CONFIG_NAME).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return directory


def save_pretrained(
    model: torch.nn.Module,
    directory: str | Path,
    config: Any,
    *,
    model_type: str,
    format_version: int = 1,
    card: str | None = None,
    dtype: torch.dtype | None = None,
) -> Path:
    """Write ``config.json`` (``model_type``, ``format_version`` and the fields of the
    ``config`` dataclass), ``model.safetensors`` and, if given, the model card.

    ``dtype=torch.float16`` stores floating-point weights at half the size (they load back
    into a float32 model). Vocabulary or tokenizer files are the caller's to add.
    """
    directory = save_config(directory, config, model_type=model_type, format_version=format_version)
    if dtype is None:
        if any(p.device.type != "cpu" for p in model.parameters()):
            # cuDNN packs RNN weights into one buffer; safetensors wants each tensor whole.
            model = copy.deepcopy(model).cpu()
        save_model(model, str(directory / WEIGHTS_NAME))
    else:
        state = {
            name: (t.detach().to(dtype) if t.is_floating_point() else t.detach()).contiguous()
            for name, t in model.state_dict().items()
        }
        save_file(state, str(directory / WEIGHTS_NAME))
    if card is not None:
        (directory / CARD_NAME).write_text(card, encoding="utf-8")
    return directory


def load_config(
    directory: str | Path,
    config_cls: type[C],
    *,
    model_type: str,
    format_version: int = 1,
    retired: tuple[str, ...] = (),
) -> C:
    """Read and check ``config.json`` into ``config_cls``.

    Missing keys take the dataclass defaults; unknown keys are an error, except the
    ``retired`` ones (settings older folders kept here and that now live elsewhere), which
    are dropped.

    Raises:
        ModelLoadError: not a model directory, another model type, a newer format, unknown keys.
    """
    directory = Path(directory)
    path = directory / CONFIG_NAME
    if not directory.is_dir():
        raise ModelLoadError(
            f"{directory} is not a directory (expected a saved {model_type} model)"
        )
    if not path.is_file():
        raise ModelLoadError(f"{directory} is not a model directory: it has no {CONFIG_NAME}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelLoadError(f"{path} is not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise ModelLoadError(f"{path} must hold a JSON object")
    found_type = data.pop("model_type", None)
    if found_type != model_type:
        raise ModelLoadError(
            f"{directory} holds a {found_type!r} model, not a {model_type!r} model"
        )
    found_version = data.pop("format_version", None)
    if not isinstance(found_version, int) or found_version > format_version:
        raise ModelLoadError(
            f"{directory} has format_version {found_version!r}; this version of the code reads"
            f" up to {format_version}: upgrade the package to load it"
        )
    known = {f.name for f in dataclasses.fields(config_cls)}
    data = {k: v for k, v in data.items() if k not in retired or k in known}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ModelLoadError(f"{path} has unknown keys {unknown}; known keys: {sorted(known)}")
    _check_types(path, config_cls, data)
    try:
        return config_cls(**data)
    except (TypeError, ValueError) as err:
        raise ModelLoadError(f"{path}: {err}") from err


def _check_types(path: Path, config_cls: type, data: dict[str, Any]) -> None:
    """Each value of a plain field (bool, int, float, str) must have that type."""
    hints = typing.get_type_hints(config_cls)
    for key, value in data.items():
        kind = hints.get(key)
        if kind is bool:
            ok = isinstance(value, bool)
        elif kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif kind is str:
            ok = isinstance(value, str)
        else:
            continue
        if not ok:
            raise ModelLoadError(
                f"{path}: {key} must be {kind.__name__}, not {type(value).__name__} {value!r}"
            )


def save_generation_config(directory: str | Path, config: Any) -> Path:
    """Write ``generation.json``: how the model's search runs by default (kept apart from
    the architecture in ``config.json``, like Hugging Face's generation config)."""
    path = Path(directory) / GENERATION_NAME
    path.write_text(json.dumps(dataclasses.asdict(config), indent=2) + "\n", encoding="utf-8")
    return path


def load_generation_config(directory: str | Path, config_cls: type[C]) -> C:
    """Read ``generation.json`` into ``config_cls``; a folder without one (written before
    the search settings left ``config.json``) gives the fields ``config.json`` holds, and
    the defaults for the rest.

    Raises:
        ModelLoadError: unknown keys or values of the wrong type.
    """
    directory = Path(directory)
    known = {f.name for f in dataclasses.fields(config_cls)}
    path = directory / GENERATION_NAME
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ModelLoadError(f"{path} is not valid JSON: {err}") from err
        unknown = sorted(set(data) - known)
        if unknown:
            raise ModelLoadError(f"{path} has unknown keys {unknown}; known keys: {sorted(known)}")
    else:
        path = directory / CONFIG_NAME
        older = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        data = {k: v for k, v in older.items() if k in known}
    _check_types(path, config_cls, data)
    return config_cls(**data)


def _weights_file(directory: str | Path) -> Path:
    """The folder's ``model.safetensors``; a ModelLoadError when it has none."""
    path = Path(directory) / WEIGHTS_NAME
    if not path.is_file():
        raise ModelLoadError(f"{directory} has no {WEIGHTS_NAME}")
    return path


def load_weights(model: torch.nn.Module, directory: str | Path) -> torch.nn.Module:
    """Load ``model.safetensors`` into ``model`` (every tensor must match, strictly)."""
    path = _weights_file(directory)
    try:
        missing, unexpected = load_model(model, str(path), strict=False)
    except (RuntimeError, OSError, ValueError) as err:  # shapes that disagree, a broken file
        detail = str(err).strip().splitlines()
        raise ModelLoadError(
            f"{path} does not fit the model its config.json describes:"
            f" {detail[1].strip() if len(detail) > 1 else detail[0]}"
        ) from err
    if missing or unexpected:
        raise ModelLoadError(
            f"{path} does not match the model: missing {sorted(missing)}, unexpected"
            f" {sorted(unexpected)}"
        )
    return model


def warm_start(model: torch.nn.Module, directory: str | Path) -> tuple[list[str], list[str]]:
    """Start ``model`` from a saved model's weights where they fit: each tensor of
    ``model.safetensors`` whose name and shape match one of ``model``'s is copied; the rest of
    ``model`` keeps its fresh initialisation (say, a part the saved model did not have).

    Returns:
        the names copied and the names left fresh, each sorted.

    Raises:
        ModelLoadError: the folder has no weights, or not one tensor fits ``model``.
    """
    path = _weights_file(directory)
    saved = load_file(str(path))
    own = model.state_dict()
    fits = {k: v for k, v in saved.items() if k in own and own[k].shape == v.shape}
    if not fits:
        raise ModelLoadError(f"no tensor of {path} fits the model (another kind of model?)")
    with torch.no_grad():
        for name, tensor in fits.items():
            own[name].copy_(tensor.to(own[name].dtype))
    return sorted(fits), sorted(set(own) - set(fits))


def load_pretrained(
    name_or_dir: str | Path,
    root: str | Path,
    config_cls: type[C],
    build: Callable[[C], torch.nn.Module],
    *,
    model_type: str,
    format_version: int = 1,
    retired: tuple[str, ...] = (),
) -> tuple[torch.nn.Module, Path]:
    """Load a shipped model (a name under ``root``) or a model folder: resolve it, read and
    check its ``config.json``, build the module with ``build(config)`` and load its weights.

    Returns:
        the module (on the CPU, in eval mode) and its folder, for the caller's vocabulary or
        tokenizer files.

    Raises:
        ModelLoadError: with a message naming the folder and what is wrong with it.
    """
    directory = resolve_model_dir(name_or_dir, root)
    config = load_config(
        directory,
        config_cls,
        model_type=model_type,
        format_version=format_version,
        retired=retired,
    )
    try:
        model = build(config)
    except (TypeError, ValueError, RuntimeError) as err:  # say, num_layers: -1
        raise ModelLoadError(
            f"{directory / CONFIG_NAME} describes a model that cannot be built: {err}"
        ) from err
    return load_weights(model, directory).eval(), directory


def list_pretrained(root: str | Path) -> list[str]:
    """Names of the model directories directly under ``root`` (each with a config.json)."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / CONFIG_NAME).is_file())


def resolve_model_dir(name_or_dir: str | Path, root: str | Path) -> Path:
    """A shipped model's name (a folder under ``root``) or any directory, as a path.

    Raises:
        ModelLoadError: neither a shipped name nor an existing directory.
    """
    candidate = Path(root) / str(name_or_dir)
    if str(name_or_dir) in list_pretrained(root):
        return candidate
    path = Path(name_or_dir).expanduser()
    if path.is_dir():
        return path
    names = ", ".join(list_pretrained(root)) or "none"
    raise ModelLoadError(
        f"no model {str(name_or_dir)!r}: not a shipped model (shipped: {names}) nor a directory"
    )


def model_card(name_or_dir: str | Path, root: str | Path) -> str:
    """The model card (``README.md``) of a shipped model or model folder, as Markdown."""
    try:
        card = resolve_model_dir(name_or_dir, root) / CARD_NAME
    except (ModelLoadError, OSError, ValueError):
        return f"No model `{name_or_dir}` is installed."
    if not card.is_file():
        return f"`{name_or_dir}` has no model card."
    return card.read_text(encoding="utf-8")


class ModelChoices:
    """The models a UI offers for one app: folders given on the command line first, then the
    shipped ones; each loaded once, on first use.

    Args:
        root: the app's ``pretrained`` folder.
        loader: ``name_or_folder -> model object`` (e.g. ``Translator.from_pretrained``).
        what: the kind of model, for messages (``"translation"``).
    """

    def __init__(self, root: str | Path, loader: Callable[[str], Any], what: str) -> None:
        self.root = Path(root)
        self.what = what
        self.extra: list[str] = []
        self.load = functools.lru_cache(maxsize=4)(loader)

    def get(self, name: str) -> Any:
        """The loaded model offered as ``name``.

        Raises:
            ValueError: no such model is offered; or see the loader.
        """
        if name not in self.names():
            raise ValueError(f"No {self.what} model {name!r} is installed.")
        return self.load(name)

    def offer(self, folder: str | None, preferred: str) -> tuple[list[str], str]:
        """Offer ``folder`` first (when given); return the names offered and the one a tab
        starts on (see :meth:`first`)."""
        if folder:
            self.add(folder)
        return self.names(), self.first(preferred)

    def add(self, folder: str) -> None:
        """Offer a model folder first."""
        if folder not in self.extra:
            self.extra.insert(0, folder)

    def names(self) -> list[str]:
        return [*self.extra, *list_pretrained(self.root)]

    def first(self, preferred: str) -> str:
        """The model a tab starts on: the folder given most recently, else ``preferred``
        when it is shipped (or nothing is installed), else the first shipped one."""
        if self.extra:
            return self.extra[0]
        shipped = list_pretrained(self.root)
        return preferred if preferred in shipped or not shipped else shipped[0]

    def card(self, name: str) -> str:
        return model_card(name, self.root)
