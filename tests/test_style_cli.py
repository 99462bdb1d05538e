"""`aigc-desktop learn` and `continue --style`, run in-process against a tiny real model."""

from __future__ import annotations

from test_style_engine import writer_text

from aigc_desktop.cli import main
from aigc_desktop.engine.style.store import StyleStore


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_learn_prints_progress_and_evaluation_then_continue_uses_the_style(capsys, tiny_gpt2_dir, tmp_path):
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "one.txt").write_text(writer_text(800, seed=1), encoding="utf-8")
    (drafts / "two.md").write_text(writer_text(800, seed=2), encoding="utf-8")
    code, out, err = run(capsys, "learn", "--model", str(tiny_gpt2_dir), "--name", "Fox", "--minutes", "3",
                         str(drafts))
    assert code == 0, err
    assert "words in 2 file(s)" in err and "step 1/" in err and " left" in err
    assert "Style 'Fox' saved" in out and "Held-out perplexity" in out
    assert out.count("without the style:") == 3 and out.count("with the style:") == 3
    assert StyleStore().names() == ["Fox"]

    prompt = ["--model", str(tiny_gpt2_dir), "--temperature", "0", "--max-new-tokens", "12", "Once upon a time"]
    code, plain, err = run(capsys, "continue", *prompt)
    assert code == 0, err
    code, styled, err = run(capsys, "continue", "--style", "Fox", *prompt)
    assert code == 0, err
    assert styled != plain

    code, out, err = run(capsys, "learn", "--model", str(tiny_gpt2_dir), "--name", "Fox", str(drafts))
    assert code == 1 and err == "aigc-desktop: error: A style called 'Fox' already exists; choose another name " \
                                "or add --replace.\n"


def test_learn_and_continue_errors_are_one_line(capsys, tiny_gpt2_dir, tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("Only a handful of words here.", encoding="utf-8")
    code, out, err = run(capsys, "learn", "--model", str(tiny_gpt2_dir), "--name", "x", str(short))
    assert code == 1 and out == ""
    assert err == ("aigc-desktop: error: Only 6 words of text: learning a style needs at least 1,000 words "
                   "(about four pages); add more of the writer's drafts.\n")
    code, _, err = run(capsys, "learn", "--model", str(tiny_gpt2_dir), "--name", "a/b", str(short))
    assert code == 1 and err.count("\n") == 1 and "cannot start with a dot or contain" in err
    code, _, err = run(capsys, "continue", "--model", str(tiny_gpt2_dir), "--style", "nope", "Hi")
    assert code == 1 and err == "aigc-desktop: error: There is no style called 'nope' (saved styles: none yet).\n"
    code, _, err = run(capsys, "continue", "--server", "http://127.0.0.1:9", "--style", "nope", "Hi")
    assert code == 2 and err == "aigc-desktop: error: --style needs a local model (--model), not --server\n"
