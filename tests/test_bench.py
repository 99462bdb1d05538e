"""`aigc-desktop bench`: every section runs on a tiny model and reports every field.

Timings are not checked (they depend on the machine); the figures' presence is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from aigc_desktop.bench.prompts import exact_prompt, rotated_passage
from aigc_desktop.bench.stats import alternate, percentile, ratios, summary

STAT = {"median", "min", "max", "n"}

# Section -> paths of the figures it must report ("*" is every key at that level).
EXPECTED = {
    "decode": [
        ("new_tokens",), ("editor_torch_threads",), ("editor_default_candidates",),
        *[("prompts", "*", side, key) for side in ("raw", "engine", "editor") for key in ("ttft_s", "decode_tps")],
        ("prompts", "*", "editor", "ttft_inserted_s"),
        ("prompts", "*", "prompt_tokens"),
        ("prompts", "*", "same_greedy_tokens"),
        *[("prompts", "*", key) for key in ("engine_over_raw_decode", "engine_over_raw_ttft",
                                            "editor_over_raw_decode", "editor_over_raw_ttft")],
    ],
    "responsiveness": [(part, key) for part in ("idle", "during_generation")
                       for key in ("gap_p50_ms", "gap_p99_ms", "gap_max_ms")],
    "stop": [("latency_s",), ("decode_step_s",), ("latency_over_step",), ("gui_notified_s",),
             ("text_after_stop",), ("stopped_mid_run",)],
    "startup": [("window_shown_s",), ("model_ready_s",), ("torch_imported_before_shown",)],
    "quit": [("quit_idle_s",), ("quit_under_load_s",), ("all_quit_while_streaming",), ("clean_exit",)],
    "memory": [(mode, key) for mode in ("fp32", "fast")
               for key in ("after_load_rss_mib", "ready_rss_mib", "generating_peak_mib")],
    "speed": [("available",), ("fast_prepare_s",), ("llama_cpp",),
              *[("prompts", "*", side, key) for side in ("generate", "exact", "fast_fp32", "fast", "default")
                for key in ("ttft_s", "decode_tps")],
              ("prompts", "*", "default", "others_s"),
              *[("prompts", "*", key) for key in ("default_over_fast_decode", "exact_over_generate_decode",
                                                  "exact_same_tokens_as_generate", "fast_fp32_same_tokens_as_generate",
                                                  "fast_free_running_shared_prefix")],
              *[("quality", key) for key in ("perplexity_fp32", "perplexity_fast", "perplexity_fast_over_fp32",
                                             "top1_fast_vs_fp32")]],
    "large_document": [(key,) for key in ("bytes", "open_s", "text_before_s", "encode_tail_s", "continue_ttft_s",
                                          "continue_decode_tps", "engine_decode_tps", "editor_over_engine_decode",
                                          "key_to_paint_s", "after_typing_gap_max_ms")],
    "peers": [("llama_cpp",)],
    "prefix": [("cold", "ttft_s"), ("regenerate", "ttft_s"), ("regenerate", "reused_tokens"),
               ("continue_after_accept", "ttft_s"), ("continue_after_accept", "reused_tokens"),
               ("regenerate_over_cold_ttft",), ("accept_over_cold_ttft",)],
    "bandwidth": [(key,) for key in ("weight_bytes_per_token", "copy_gbps", "read_gbps", "limit_gbps",
                                     "bound_tps", "decode_tps", "fraction")],
}


def values_at(tree, path):
    if not path:
        return [tree]
    head, rest = path[0], path[1:]
    assert isinstance(tree, dict), (path, tree)
    if head == "*":
        assert tree, f"nothing under {path}"
        return [v for key in tree for v in values_at(tree[key], rest)]
    assert head in tree, f"missing {head!r} (then {rest}) in {sorted(tree)}"
    return values_at(tree[head], rest)


def run_bench(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aigc_desktop", "bench", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})})


def test_every_section_reports_every_field(tiny_gpt2_dir, tmp_path):
    out = tmp_path / "bench.json"
    result = run_bench("--model", str(tiny_gpt2_dir), "--device", "cpu", "--prompt-tokens", "8,16",
                       "--new-tokens", "4", "--repeats", "1", "--warmup", "0", "--large-doc-bytes", "100000",
                       "--copy-mb", "8", "--json", str(out), timeout=900)  # every section, 3 app processes
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["results"]) == set(EXPECTED)
    for section, paths in EXPECTED.items():
        figures = report["results"][section]
        assert "error" not in figures, figures
        for path in paths:
            for value in values_at(figures, path):
                if isinstance(value, dict):
                    assert STAT <= set(value), (section, path, value)
    decode = report["results"]["decode"]
    assert sorted(decode["prompts"]) == ["16", "8"]  # exact token counts
    for entry in decode["prompts"].values():
        assert entry["same_greedy_tokens"]  # the engine's greedy tokens are generate's
        for side in ("raw", "engine", "editor"):
            assert entry[side]["ttft_s"] is not None
        # (The editor paints at most every 16 ms: 4 tiny-model tokens may land in one paint, no rate.)
        assert entry["raw"]["decode_tps"] is not None and entry["engine"]["decode_tps"] is not None
    stop = report["results"]["stop"]
    assert stop["stopped_mid_run"] >= 1 and stop["latency_s"] is not None
    assert stop["text_after_stop"] is False
    assert report["results"]["startup"]["torch_imported_before_shown"] is False
    assert report["results"]["quit"]["all_quit_while_streaming"] and report["results"]["quit"]["clean_exit"]
    assert report["results"]["prefix"]["regenerate"]["reused_tokens"]["median"] > 0
    assert report["results"]["large_document"]["bytes"] <= 100000
    assert report["meta"]["load_average_start"] is not None
    assert {g["goal"] for g in report["goals"]} >= {"window shown after process start", "no text inserted after Stop"}
    assert all(g["pass"] in (True, False, None) for g in report["goals"])
    # The table is printed too.
    assert "| goal | target | measured | result |" in result.stdout
    assert "| Stop pressed -> worker finished |" in result.stdout


def test_gpt2_shaped_model_is_built_once_and_measured_without_qt(gpt2_tokenizer_dir, tmp_path):
    code = (
        "import sys; from aigc_desktop.cli import main; "
        "rc = main(sys.argv[1:]); "
        "qt = [m for m in sys.modules if m.startswith('PySide6')]; print('QT', qt); sys.exit(rc or bool(qt))"
    )
    args = ["bench", "--gpt2-shaped", "distil", "--tokenizer", str(gpt2_tokenizer_dir), "--device", "cpu",
            "--shape-override", "n_embd=32,n_head=2,n_positions=96", "--prompt-tokens", "16", "--new-tokens", "4",
            "--repeats", "1", "--warmup", "0", "--copy-mb", "8", "--only", "prefix,bandwidth",
            "--json", str(tmp_path / "b.json")]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    folders = list((tmp_path / "cache" / "aigc-desktop" / "bench").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("gpt2-shaped-distil-")
    config = json.loads((folders[0] / "config.json").read_text())
    assert (config["n_layer"], config["n_embd"], config["vocab_size"]) == (6, 32, 50257)
    report = json.loads((tmp_path / "b.json").read_text())
    assert set(report["results"]) == {"prefix", "bandwidth"}
    assert report["results"]["prefix"]["prompt_tokens"] == 16
    # Weight bytes count the tied embedding once: 50257 x 32 + 96 x 32 positions + 6 blocks, in fp32.
    block = 4 * 32 + 3 * 32 * 32 + 3 * 32 + 32 * 32 + 32 + 4 * 32 * 32 + 4 * 32 + 4 * 32 * 32 + 32
    assert report["results"]["bandwidth"]["weight_bytes_per_token"] == 4 * (50257 * 32 + 96 * 32 + 6 * block + 2 * 32)


@pytest.mark.parametrize("argv, fragment", [
    (["--only", "decode,nonsense"], "unknown section(s) nonsense"),
    (["--gpt2-shaped", "small"], "--gpt2-shaped needs --tokenizer"),
    (["--prompt-tokens", "32,x"], "comma-separated"),
])
def test_bad_options_are_one_line_errors(argv, fragment):
    result = run_bench(*argv, timeout=60)
    assert result.returncode == 2
    assert fragment in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_prompts_have_exact_token_counts(gpt2_tokenizer_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gpt2_tokenizer_dir))
    for n in (1, 32, 512):
        prompt = exact_prompt(tokenizer, n)
        assert prompt.tokens == n == len(tokenizer.encode(prompt.text))
    other = exact_prompt(tokenizer, 32, passage=rotated_passage(1))
    assert other.tokens == 32 and other.text != exact_prompt(tokenizer, 32).text


def test_alternating_runner_and_summaries():
    order = []
    runs = alternate({"a": lambda: order.append("a") or {"t": 2.0}, "b": lambda: order.append("b") or {"t": 1.0}},
                     repeats=3, warmup=1)
    assert order == ["a", "b"] * 4
    assert len(runs["a"]) == len(runs["b"]) == 3
    assert ratios(runs["a"], runs["b"], "t") == {"median": 2.0, "min": 2.0, "max": 2.0, "n": 3}
    assert summary([3, None, 1, 2]) == {"median": 2, "min": 1, "max": 3, "n": 3}
    assert summary([None]) is None
    assert percentile(list(range(1, 101)), 99) == 99 and percentile([5.0], 50) == 5.0


@pytest.fixture(scope="module")
def sse():
    from sse_server import SSEServer

    with SSEServer() as running:
        yield running


def test_server_section_measures_an_inference_server_through_the_backend(sse, tmp_path, capsys):
    from aigc_desktop.bench.cli import main

    out = tmp_path / "server.json"
    assert main(["--server", sse.url("slow"), "--repeats", "1", "--warmup", "0", "--new-tokens", "8",
                 "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["meta"]["sections"] == ["server"] and report["meta"]["resolved_device"].startswith("server 127.0.0.1")
    r = report["results"]["server"]
    assert set(r["prompts"]) == {"English prompt", "Chinese prompt", "English prompt, probability view on"}
    for entry in r["prompts"].values():
        assert entry["ttft_s"]["median"] > 0 and entry["decode_tps"]["median"] > 0
        assert entry["tokens_counted_by"] == "chunks"  # the slow scenario reports no usage or logprobs
    editor = r["editor"]  # the real window on the same server, through qasync's loop
    assert editor["ttft_s"]["median"] > 0 and editor["editor_over_backend_ttft"]["median"] > 0
    assert editor["on_event_loop"] is True
    assert editor["stopped_mid_run"] == editor["stop_runs"] >= 3 and editor["text_after_stop"] is False
    for key in ("stop_event_loop", "stop_thread"):
        # The slow scenario drips 40 tokens 50 ms apart: every Stop lands mid-run, and is quick.
        assert r[key]["stopped_mid_run"] == r[key]["runs"] >= 3
        assert 0 <= r[key]["latency_s"]["max"] < 1.0
    sent = [q.body["prompt"] for q in sse.requests if q.path.endswith("/v1/completions")]
    assert any("今天天气真好" in p for p in sent) and any(p.startswith("The draft") for p in sent)
    table = capsys.readouterr().out
    assert "server" in table and "Stop -> stream closed" in table


@pytest.mark.parametrize("argv, fragment", [
    (["--server", "http://127.0.0.1:9", "--only", "decode"], "measure a local model"),
    (["--only", "server"], "needs --server URL"),
    (["--remote-model", "gpt2"], "need --server URL"),
])
def test_server_options_are_checked(argv, fragment, capsys):
    from aigc_desktop.bench.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1, err


def test_an_unreachable_server_is_a_one_line_error(capsys):
    from aigc_desktop.bench.cli import main

    assert main(["--server", "http://127.0.0.1:9", "--repeats", "1"]) == 1
    err = capsys.readouterr().err
    assert "error:" in err and "127.0.0.1:9" in err and "Traceback" not in err


def test_repetition_measures():
    from aigc_desktop.bench.repetition import longest_repeated_span, prompts, repeated_ngram_share

    assert repeated_ngram_share([1, 2, 3, 4, 5, 6]) == 0.0
    loop = [1, 2, 3, 4] * 4  # 13 4-grams, the first 4 new
    assert repeated_ngram_share(loop) == 9 / 13
    assert longest_repeated_span([1, 2, 3, 9, 1, 2, 3, 8]) == 3
    assert longest_repeated_span(loop) == 12  # overlapping repeats count: that is what a loop is
    assert longest_repeated_span([5, 6, 7]) == 0
    assert len(prompts()) >= 20
