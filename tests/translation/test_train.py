"""translation.train end to end on tiny catalogs: a run and its card, a run continued with
--init, the refusal to continue on a different split and the recorded held-out catalogs
kept on a later fetch; translation.evaluate on such a model."""

import json
import shutil

import pytest
import torch
from safetensors.torch import load_file

from tests.translation.conftest import TINY
from translation.train import main


def history(model_dir):
    return json.loads((model_dir / "training.json").read_text())["history"]


def test_a_run_exports_a_model_with_its_card(trained_model):
    for name in ("model.safetensors", "source.model", "target.model", "README.md"):
        assert (trained_model / name).is_file()
    (run,) = history(trained_model)
    assert run["steps"] == 20 and "--max-steps 20" in run["command"]
    assert run["command"] in (trained_model / "README.md").read_text()
    # The search's length penalty was chosen on validation and is now the model's default.
    from translation.tune import LENGTH_PENALTIES

    config = json.loads((trained_model / "config.json").read_text())
    sweep = json.loads((trained_model / "training.json").read_text())["length_penalty"]
    generation = json.loads((trained_model / "generation.json").read_text())
    assert generation["length_penalty"] == sweep["chosen"] in LENGTH_PENALTIES
    assert "length_penalty" not in config  # the architecture only
    assert (
        f"Length penalty alpha {sweep['chosen']:g}, chosen"
        in (trained_model / "README.md").read_text()
    )


def test_the_card_is_what_the_folder_records(trained_model):
    from translation.card import render_card

    card = (trained_model / "README.md").read_text()
    assert card == render_card(trained_model)
    info = json.loads((trained_model / "training.json").read_text())
    assert info["test"]["pairs"] == info["pairs"]["test"] and info["test"]["beam_size"] == 5
    assert info["examples"]
    for example in info["examples"]:
        assert f"| {example['source']} | {example['model']} | {example['reference']} |" in card
    assert f"{info['test']['bleu']:.2f}" in card


def test_the_card_says_when_the_end_of_a_run_scored_a_sample(trained_model, tmp_path):
    from translation.card import render_card

    folder = tmp_path / "model"
    shutil.copytree(trained_model, folder)
    info = json.loads((folder / "training.json").read_text())
    assert f"chosen on all {info['pairs']['valid']} validation pairs" in render_card(folder)
    info["length_penalty"]["validation_pairs"] = 7  # as a short budget's sample would
    info["test"]["pairs"] = 5
    (folder / "training.json").write_text(json.dumps(info))
    card = render_card(folder)
    assert f"chosen on 7 of the {info['pairs']['valid']} validation pairs" in card
    assert f"| test (5 of the {info['pairs']['test']} pairs) |" in card


def test_init_continues_the_model_and_keeps_its_history(trained_model, catalogs, tmp_path):
    # A note added by hand on where the data came from carries over to the continued model.
    start = tmp_path / "start"
    shutil.copytree(trained_model, start)
    info = json.loads((start / "training.json").read_text())
    (start / "training.json").write_text(json.dumps(info | {"data_source": "tiny catalogs"}))
    out = tmp_path / "continued"
    # A learning rate too small to move the weights: what comes out is what went in.
    continued = main(
        ["--data", str(catalogs), "--out", str(out), "--init", str(start)]
        + ["--max-steps", "2", *TINY, "--lr", "1e-12"]
    )
    before, after = (
        load_file(trained_model / "model.safetensors"),
        load_file(continued / "model.safetensors"),
    )
    assert before.keys() == after.keys()
    for name in before:
        assert (before[name].float() - after[name].float()).abs().max() < 1e-3, name
    for name in ("source.model", "target.model"):
        assert (continued / name).read_bytes() == (trained_model / name).read_bytes()
    first, second = history(continued)
    assert first == history(trained_model)[0]
    assert "--init" in second["command"] and second["steps"] == 2
    card = (continued / "README.md").read_text()
    assert card.index(first["command"]) < card.index("continuing from that model")
    assert "Human translations from tiny catalogs," in card


def test_training_pairs_resegment_each_read_only_with_alpha(tmp_path):
    from tests.translation.conftest import CHINESE, ENGLISH
    from translation.data import TrainingPairs
    from translation.tokenizer import SubwordTokenizer

    src = SubwordTokenizer.train(ENGLISH, tmp_path / "en.model", vocab_size=60)
    tgt = SubwordTokenizer.train(CHINESE, tmp_path / "zh.model", 60, character_coverage=0.9995)
    texts = [(ENGLISH[0], CHINESE[0])] * 3
    best = TrainingPairs(texts, src, tgt)
    assert {tuple(best[0][0]) for _ in range(20)} == {tuple(src.encode(texts[0][0]))}
    sampled = TrainingPairs(texts, src, tgt, sample_alpha=0.1)
    draws = [sampled[0] for _ in range(50)]
    assert len({tuple(s) for s, _ in draws}) > 1
    assert {src.decode(s) for s, _ in draws} == {texts[0][0]}
    assert {tgt.decode(t) for _, t in draws} == {texts[0][1]}
    assert len(TrainingPairs(texts, src, tgt, max_tokens=2)) == 0
    assert len(TrainingPairs(texts, src, tgt, max_tokens=80)) == 3


def test_a_run_with_subword_regularisation(catalogs, tmp_path):
    model = main(
        ["--data", str(catalogs), "--out", str(tmp_path), "--max-steps", "3", *TINY]
        + ["--subword-alpha", "0.1", "--num-workers", "1"]
    )
    assert "--subword-alpha 0.1" in history(model)[0]["command"]


def test_init_refuses_a_different_split(trained_model, catalogs, tmp_path):
    with pytest.raises(SystemExit, match="held out"):
        main(
            ["--data", str(catalogs), "--out", str(tmp_path), "--init", str(trained_model)]
            + ["--max-steps", "2", *TINY, "--split-seed", "7"]
        )


def test_init_on_a_later_fetch_keeps_the_catalogs_the_model_never_saw(
    trained_model, catalogs, tmp_path
):
    from tests.shared.catalog_files import write_mo
    from translation.data import load_pairs
    from translation.split import split_by_kind

    info = json.loads((trained_model / "training.json").read_text())
    later = tmp_path / "later"
    shutil.copytree(catalogs, later)
    for c in range(40, 48):  # newly translated packages: they shuffle the catalogs afresh
        write_mo(later / f"pkg{c}.mo", {f"Fresh text {c}".encode(): b"Texte neuf"})
    fresh = split_by_kind(load_pairs("en", "fr", [str(later)]))
    assert fresh.origins("test") != info["test_catalogs"]
    continued = main(
        ["--data", str(later), "--out", str(tmp_path / "run"), "--init", str(trained_model)]
        + ["--max-steps", "2", *TINY]
    )
    again = json.loads((continued / "training.json").read_text())
    assert again["test_catalogs"] == info["test_catalogs"]
    assert again["valid_catalogs"] == info["valid_catalogs"]


def test_evaluate_unseen_keeps_only_sources_never_trained_on(trained_model, catalogs, capsys):
    from translation.evaluate import main as evaluate
    from translation.evaluate import training_sources

    seen = training_sources(trained_model, "en", "fr")
    assert len(seen) > 100
    assert "Permission denied" not in seen  # in every catalog, test ones too: held out
    result = evaluate(
        ["--model", str(trained_model), "--data", str(catalogs), "--split", "all", "--unseen"]
        + ["--beam-size", "1", "--examples", "0"]
    )
    everything = evaluate(
        ["--model", str(trained_model), "--data", str(catalogs), "--split", "all"]
        + ["--beam-size", "1", "--examples", "0"]
    )
    assert 0 < result["pairs"] < everything["pairs"]
    assert f"{everything['pairs'] - result['pairs']} of {everything['pairs']} pairs dropped" in (
        capsys.readouterr().out
    )


def test_by_kind_scores_all_pairs_when_the_training_data_is_gone(
    trained_model, catalogs, tmp_path, capsys
):
    from translation.evaluate import main as evaluate

    model = tmp_path / "moved"
    shutil.copytree(trained_model, model)
    info = json.loads((model / "training.json").read_text())
    info["split"]["data"] = [str(tmp_path / "gone")]
    (model / "training.json").write_text(json.dumps(info))
    table = evaluate(
        ["--model", str(model), "--data", str(catalogs), "--split", "test", "--by-kind"]
        + ["--beam-size", "1", "--examples", "0"]
    )
    assert set(table) == {"messages/all"}
    out = capsys.readouterr().out
    assert f"the data {model} trained on is not here" in out and "all pairs only" in out


def test_evaluate_says_how_to_get_missing_training_data(trained_model, tmp_path):
    from translation.evaluate import main as evaluate

    model = tmp_path / "moved"
    shutil.copytree(trained_model, model)
    info = json.loads((model / "training.json").read_text())
    info["split"]["data"] = [str(tmp_path / "gone")]
    (model / "training.json").write_text(json.dumps(info))
    with pytest.raises(SystemExit, match="python -m translation.corpus.*--sample"):
        evaluate(["--model", str(model), "--beam-size", "1"])
    with pytest.raises(SystemExit, match="--data: .*typo does not exist"):
        evaluate(["--model", str(model), "--data", str(tmp_path / "typo"), "--split", "all"])


def test_evaluate_record_puts_the_figures_on_the_card(trained_model, catalogs, tmp_path):
    from translation.evaluate import main as evaluate

    model = tmp_path / "model"
    shutil.copytree(trained_model, model)
    args = ["--model", str(model), "--data", str(catalogs), "--split", "all", "--unseen"]
    args += ["--beam-size", "1", "--examples", "0", "--record", "newer catalogs"]
    result = evaluate(args)
    evaluate(args)  # measured again: replaces the entry, does not add one
    (entry,) = json.loads((model / "training.json").read_text())["evaluations"]
    assert entry["data"] == "newer catalogs" and entry["pairs"] == result["pairs"]
    assert entry["bleu"] == result["bleu"] and entry["dropped"] > 0
    assert entry["command"].startswith("python -m translation.evaluate --model")
    card = (model / "README.md").read_text()
    assert f"newer catalogs: {result['pairs']} pairs ({entry['dropped']} more left out" in card
    assert entry["command"] in card


def test_the_last_model_is_compared_with_the_best_on_all_validation_pairs(catalogs, tmp_path):
    # A learning rate too small to change a translation: every evaluation ties, so the best
    # stays the first one (step 5), and the last (step 20) does not beat it on the tie.
    model = main(
        ["--data", str(catalogs), "--out", str(tmp_path), "--max-steps", "20", *TINY]
        + ["--eval-every", "5", "--lr", "1e-12"]
    )
    run = history(model)[-1]
    assert run["compared"].keys() == {"5", "20"} and run["best_step"] == 5
    assert run["compared"]["5"] == run["compared"]["20"]
    info = json.loads((model / "training.json").read_text())
    assert info["best_step"] == 5
    assert max(info["length_penalty"]["validation_bleu"].values()) == run["compared"]["5"]
    assert (tmp_path / "last-model" / "model.safetensors").is_file()
    assert "compared on all validation pairs" in (model / "README.md").read_text()


def test_the_last_model_replaces_the_export_when_it_scores_higher(catalogs, tmp_path, monkeypatch):
    import translation.release as release

    # The second sweep (the last model's) scores higher: its weights become the export.
    sweeps = iter([{0.0: 10.0, 1.0: 12.0}, {0.0: 11.0, 1.0: 13.0}])
    monkeypatch.setattr(release, "sweep_length_penalty", lambda *args: next(sweeps))
    save = release.save_pretrained

    def save_last_shifted(model, directory, *args, **kwargs):
        # At this learning rate the last weights equal the best; shift them to tell them apart.
        if directory.name == "last-model":
            with torch.no_grad():
                for p in model.parameters():
                    p.add_(1.0)
        return save(model, directory, *args, **kwargs)

    monkeypatch.setattr(release, "save_pretrained", save_last_shifted)
    model = main(
        ["--data", str(catalogs), "--out", str(tmp_path), "--max-steps", "20", *TINY]
        + ["--eval-every", "5", "--lr", "1e-12"]
    )
    run = history(model)[-1]
    assert run["compared"] == {"5": 12.0, "20": 13.0} and run["best_step"] == 20
    shipped = load_file(model / "model.safetensors")
    last = load_file(tmp_path / "last-model" / "model.safetensors")
    assert all(torch.equal(shipped[name], last[name]) for name in shipped)
    assert json.loads((model / "generation.json").read_text())["length_penalty"] == 1.0


def test_pairs_typed_as_people_type(trained_model, catalogs):
    from translation.data import Pair
    from translation.evaluate import TYPED
    from translation.evaluate import main as evaluate

    pair = Pair("Cannot open %s: see --help", "Impossible d'ouvrir %s : voir --help", "x")
    assert TYPED["capitals"](pair) == Pair(
        "CANNOT OPEN %s: SEE --help", "IMPOSSIBLE D'OUVRIR %s : VOIR --help", "x"
    )
    assert TYPED["emoji"](pair).source == "Cannot open %s: see --help 😀"
    line = ["--model", str(trained_model), "--data", str(catalogs), "--split", "all"]
    line += ["--beam-size", "1", "--examples", "0", "--limit", "20"]
    assert evaluate([*line, "--typed", "capitals"])["pairs"] == 20
    with pytest.raises(SystemExit):  # the tiny catalogs hold no message in capitals
        evaluate([*line, "--in-capitals"])


def test_score_counts_outputs_whose_placeholders_are_not_the_sources():
    from types import SimpleNamespace

    import numpy as np

    from translation.data import Pair
    from translation.evaluate import score
    from translation.inference import TranslationResult
    from translation.text import extra_placeholders, missing_placeholders

    outputs = {"%d files": "%d fichiers", "by %s": "par %s, %s", "at %s": "à", "Quit": "Quitter"}

    class Answers:  # a translator that gives the outputs above
        config = SimpleNamespace(tgt_lang="fr")

        def translate_batch(self, sources, beam_size, length_penalty):
            return [
                TranslationResult(
                    outputs[s],
                    [],
                    [],
                    np.zeros((0, 0), np.float32),
                    0.0,
                    missing_placeholders(s, outputs[s]),
                    extra_placeholders(s, outputs[s]),
                )
                for s in sources
            ]

    pairs = [Pair(source, target, "test") for source, target in outputs.items()]
    result = score(Answers(), pairs, beam_size=1)
    assert result["with_placeholders"] == 3 and result["placeholder_mismatches"] == 2
    assert result["hypotheses"] == list(outputs.values())


def test_the_web_app_quotes_the_recorded_figure_of_each_kind(trained_model, catalogs, tmp_path):
    from translation.card import honest_summary
    from translation.evaluate import main as evaluate

    model = tmp_path / "model"
    shutil.copytree(trained_model, model)
    info = json.loads((model / "training.json").read_text())
    before = honest_summary(model)
    assert before.startswith(
        f"**Honestly:** this model learned from {info['pairs']['train']:,} human translations"
    )
    # Nothing recorded per kind yet: the test figures of the training run.
    test = info["test"]
    assert f"On {test['pairs']:,} pairs of packages it never saw it scores BLEU" in before
    result = evaluate(
        ["--model", str(model), "--data", str(catalogs), "--split", "all", "--kind", "messages"]
        + ["--beam-size", "1", "--examples", "0", "--record", "every catalog"]
    )
    (entry,) = json.loads((model / "training.json").read_text())["evaluations"]
    assert entry["kind"] == "messages" and entry["unseen_only"] is False
    after = honest_summary(model)
    assert (
        f"it scores BLEU {result['bleu']:.0f} on software messages ({result['pairs']:,} pairs)."
        in after
    )
    evaluate(
        ["--model", str(model), "--data", str(catalogs), "--split", "test", "--by-kind"]
        + ["--beam-size", "1", "--examples", "0", "--record", "the test catalogs"]
    )
    recorded = json.loads((model / "training.json").read_text())["evaluations"]
    kinds = {(e["kind"], e["unseen_only"]) for e in recorded[1:]}
    assert ("messages", False) in kinds and kinds <= {("messages", False), ("messages", True)}
    assert honest_summary(model) == after  # the figure on the most pairs still
    assert honest_summary(tmp_path / "no-such-model") == ""
