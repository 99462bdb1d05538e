"""The bench's table and its goals, made from the sections' results."""

from __future__ import annotations


def _num(value: float, kind: str) -> str:
    if kind == "ms":
        value *= 1000
        return f"{value:.1f}" if value < 100 else f"{value:.0f}"
    if kind == "x":
        return f"{value:.2f}"
    if kind == "pct":
        return f"{value * 100:.0f}"
    if kind in ("tps", "gbps", "mib", "ms_raw"):
        return f"{value:.1f}" if value < 1000 else f"{value:.0f}"
    return f"{value:g}"


_UNITS = {"ms": " ms", "ms_raw": " ms", "x": "x", "pct": "%", "tps": " tok/s", "gbps": " GB/s", "mib": " MiB",
          "plain": ""}


def fmt(stat, kind: str = "plain") -> str:
    """'median (min-max) unit' for a summary, or the value itself."""
    if stat is None:
        return "n/a"
    if isinstance(stat, bool):
        return "yes" if stat else "no"
    if isinstance(stat, str):
        return stat
    unit = _UNITS[kind]
    if isinstance(stat, dict):
        text = _num(stat["median"], kind)
        if stat.get("n", 1) > 1 and stat["min"] != stat["max"]:
            text += f" ({_num(stat['min'], kind)}–{_num(stat['max'], kind)})"
        return text + unit
    return _num(stat, kind) + unit


def _get(result: dict, *path):
    for key in path:
        if not isinstance(result, dict) or key not in result:
            return None
        result = result[key]
    return result


def table_rows(results: dict) -> list[list[str]]:
    rows: list[list[str]] = []

    def add(section: str, measure: str, value: str) -> None:
        rows.append([section, measure, value])

    for name, result in results.items():
        if "error" in result:
            add(name, "error", result["error"])
    r = results.get("decode")
    if r and "error" not in r:
        add("decode", "editor's worker: torch threads / candidates per Continue by default",
            f"{r['editor_torch_threads']} / {r['editor_default_candidates']}")
        for p, e in r["prompts"].items():
            s = f"decode, {p}-token prompt, {r['new_tokens']} new"
            add(s, "raw generate: first token", fmt(e["raw"]["ttft_s"], "ms"))
            add(s, "engine: first token (cold cache)", fmt(e["engine"]["ttft_s"], "ms"))
            add(s, "editor: Continue -> first text painted", fmt(e["editor"]["ttft_s"], "ms"))
            add(s, "raw generate: decode", fmt(e["raw"]["decode_tps"], "tps"))
            add(s, "engine: decode", fmt(e["engine"]["decode_tps"], "tps"))
            add(s, "editor: decode as painted", fmt(e["editor"]["decode_tps"], "tps"))
            add(s, "engine / raw decode", fmt(e["engine_over_raw_decode"], "x"))
            add(s, "editor / raw decode", fmt(e["editor_over_raw_decode"], "x"))
            add(s, "engine / raw first token", fmt(e["engine_over_raw_ttft"], "x"))
            add(s, "editor / raw first token", fmt(e["editor_over_raw_ttft"], "x"))
            add(s, "engine's greedy tokens = generate's", fmt(e["same_greedy_tokens"]))
            if "editor_default" in e:
                k = r["editor_default_candidates"]
                add(s, f"editor, product default ({k} candidates): first text / decode",
                    f"{fmt(e['editor_default']['ttft_s'], 'ms')} / {fmt(e['editor_default']['decode_tps'], 'tps')}")
                add(s, f"editor ({k} candidates) / raw decode", fmt(e["editor_default_over_raw_decode"], "x"))
    r = results.get("responsiveness")
    if r and "error" not in r:
        s = f"GUI heartbeat ({r['interval_ms']} ms timer, {r.get('candidates', 1)} candidates)"
        for label, key in (("idle", "idle"), (f"during {r['new_tokens']}-token generation", "during_generation")):
            g = r[key]
            add(s, f"{label}: gap p50 / p99 / max",
                " / ".join(fmt(g[k], "ms_raw") for k in ("gap_p50_ms", "gap_p99_ms", "gap_max_ms")))
    r = results.get("stop")
    if r and "error" not in r:
        s = f"Stop ({r.get('candidates', 1)} candidates)"
        add(s, "Stop pressed -> worker finished", fmt(r["latency_s"], "ms"))
        add(s, "one decode step of the same run", fmt(r["decode_step_s"], "ms"))
        add(s, "latency / decode step", fmt(r["latency_over_step"], "x"))
        add(s, "text inserted after Stop", fmt(r["text_after_stop"]))
    r = results.get("startup")
    if r and "error" not in r:
        s = "start-up (fresh process)"
        add(s, "process start -> window shown", fmt(r["window_shown_s"], "ms"))
        add(s, "process start -> model ready", fmt(r["model_ready_s"], "ms"))
        add(s, "torch imported before the window was shown", fmt(r["torch_imported_before_shown"]))
    r = results.get("quit")
    if r and "error" not in r:
        s = f"Quit while streaming (fresh process; {r['busy_processes']} busy processes for load)"
        add(s, "Quit -> process exited, idle / under load",
            f"{fmt(r['quit_idle_s'], 'ms')} / {fmt(r['quit_under_load_s'], 'ms')}")
    r = results.get("memory")
    if r and "error" not in r:
        for mode in ("fp32", "fast"):
            m = r.get(mode)
            if m:
                s = f"memory ({mode}, fresh process)"
                add(s, "RSS after load / after warm-up (ready)",
                    f"{fmt(m['after_load_rss_mib'], 'mib')} / {fmt(m.get('ready_rss_mib'), 'mib')}")
                add(s, f"peak RSS generating ({m['context_tokens']} + {m['new_tokens']} tokens)",
                    fmt(m["generating_peak_mib"], "mib"))
    r = results.get("speed")
    if r and "error" not in r:
        _speed_rows(r, add)
    r = results.get("large_document")
    if r and "error" not in r:
        s = f"large document ({r['bytes'] / 1e6:.1f} MB, English + Chinese)"
        add(s, "open (load_text -> painted)", fmt(r["open_s"], "ms"))
        add(s, "context from the editor (text_before)", fmt(r["text_before_s"], "ms"))
        add(s, f"engine encode_tail ({r['context_tokens']} tokens)", fmt(r["encode_tail_s"], "ms"))
        add(s, "Continue at the end -> first text painted (cold)", fmt(r["continue_ttft_s"], "ms"))
        add(s, "same, again (engine cache reused)", fmt(r["continue_ttft_cached_s"], "ms"))
        add(s, "engine alone on the same context: first token (cold)", fmt(r["engine_ttft_s"], "ms"))
        add(s, "decode as painted / engine alone", f"{fmt(r['continue_decode_tps'], 'tps')} / "
            f"{fmt(r['engine_decode_tps'], 'tps')} = {fmt(r['editor_over_engine_decode'], 'x')}")
        add(s, "keystroke -> paint", fmt(r["key_to_paint_s"], "ms"))
        add(s, "longest GUI stall after typing", fmt(r["after_typing_gap_max_ms"], "ms_raw"))
    r = results.get("peers")
    if r and "error" not in r:
        if r["llama_cpp"] != "measured":
            add("peer: llama.cpp (GGUF)", "status", r["llama_cpp"])
        else:
            for p, e in r["prompts"].items():
                add(f"peer: llama.cpp, {p}-token prompt", "first token / decode",
                    f"{fmt(e['ttft_s'], 'ms')} / {fmt(e['decode_tps'], 'tps')}")
    r = results.get("prefix")
    if r and "error" not in r:
        s = f"prefix reuse, {r['prompt_tokens']}-token context"
        add(s, "cold (cache reset): first token", fmt(r["cold"]["ttft_s"], "ms"))
        add(s, f"Regenerate: first token (reused {fmt(r['regenerate']['reused_tokens'])} tokens)",
            fmt(r["regenerate"]["ttft_s"], "ms"))
        add(s, f"continue after accept: first token (reused {fmt(r['continue_after_accept']['reused_tokens'])} "
               f"of {fmt(r['continue_after_accept']['context_tokens'])})", fmt(r["continue_after_accept"]["ttft_s"], "ms"))
        add(s, "Regenerate / cold", fmt(r["regenerate_over_cold_ttft"], "x"))
        add(s, "continue after accept / cold", fmt(r["accept_over_cold_ttft"], "x"))
    r = results.get("bandwidth")
    if r and "error" not in r:
        s = "memory bandwidth bound (fp32)"
        add(s, "weight bytes read per token", f"{r['weight_bytes_per_token'] / 1e6:.1f} MB")
        add(s, f"copy of {r['copy_mb']} MB (bytes copied / traffic)",
            f"{fmt(r['copy_gbps'], 'gbps')} / {fmt(r['copy_traffic_gbps'], 'gbps')}")
        add(s, "read-only pass (sum)", fmt(r["read_gbps"], "gbps"))
        add(s, "bound: limit / weight bytes", fmt(r["bound_tps"], "tps"))
        add(s, f"engine decode ({r['prompt_tokens']}-token prompt)", fmt(r["decode_tps"], "tps"))
        add(s, "decode / bound", fmt(r["fraction"], "pct"))
    r = results.get("server")
    if r and "error" not in r:
        for label, e in r["prompts"].items():
            s = f"server {r['model']} ({r['server']}), {label}, {r['new_tokens']} new"
            add(s, "first token", fmt(e["ttft_s"], "ms"))
            counted = {"chunks": " (tokens counted as stream chunks)"}.get(e.get("tokens_counted_by"), "")
            add(s, "decode" + counted, fmt(e["decode_tps"], "tps"))
        e = r.get("editor")
        if e:
            s = f"server {r['model']}: the editor (offscreen window, qasync loop), English prompt, {r['new_tokens']} new"
            add(s, "Continue -> first text painted", fmt(e["ttft_s"], "ms"))
            add(s, "editor / backend alone, first token", fmt(e["editor_over_backend_ttft"], "x"))
            add(s, "decode as painted (tokens counted as stream chunks)", fmt(e["decode_tps"], "tps"))
            add(s, f"Stop pressed -> run finished ({e['stopped_mid_run']} of {e['stop_runs']} mid-run)",
                fmt(e["stop_latency_s"], "ms"))
            add(s, "text inserted after Stop", fmt(e["text_after_stop"]))
        for key, how in (("stop_event_loop", "on the event loop (the app)"), ("stop_thread", "from another thread")):
            e = r[key]
            add(f"server Stop, {how}", f"Stop -> stream closed ({e['stopped_mid_run']} of {e['runs']} mid-run)",
                fmt(e["latency_s"], "ms"))
    return rows


def _goal(goals: list, name: str, target: str, stat, kind: str, ok) -> None:
    value = stat["median"] if isinstance(stat, dict) else stat
    goals.append({"goal": name, "target": target, "measured": fmt(stat, kind), "value": value,
                  "pass": None if value is None else bool(ok(value))})


def goals(results: dict) -> list[dict]:
    g: list[dict] = []
    r = results.get("decode")
    if r and "error" not in r:
        for p, e in r["prompts"].items():
            _goal(g, f"engine decode vs raw generate ({p}-token prompt)", ">= 1.0x",
                  e["engine_over_raw_decode"], "x", lambda v: v >= 1.0)
        for p, e in r["prompts"].items():
            _goal(g, f"editor decode as painted vs raw ({p}-token prompt)", ">= 0.95x",
                  e["editor_over_raw_decode"], "x", lambda v: v >= 0.95)
        for p, e in r["prompts"].items():
            _goal(g, f"editor first text painted vs raw prefill + first token ({p}-token prompt)", "<= 1.15x",
                  e["editor_over_raw_ttft"], "x", lambda v: v <= 1.15)
    r = results.get("responsiveness")
    if r and "error" not in r:
        d = r["during_generation"]
        _goal(g, "heartbeat gap p99 during generation (median of runs)", "<= 20 ms", d["gap_p99_ms"], "ms_raw",
              lambda v: v <= 20)
        worst = d["gap_max_ms"]["max"] if d["gap_max_ms"] else None
        _goal(g, "heartbeat gap max during generation (worst run)", "<= 50 ms", worst, "ms_raw", lambda v: v <= 50)
    r = results.get("stop")
    if r and "error" not in r:
        _goal(g, "Stop latency vs one decode step", "<= 1.0x", r["latency_over_step"], "x", lambda v: v <= 1.0)
        clean = None if not r["stopped_mid_run"] else not r["text_after_stop"]
        g.append({"goal": "no text inserted after Stop", "target": "none",
                  "measured": {None: "n/a", True: "none", False: "some"}[clean], "value": clean, "pass": clean})
    r = results.get("prefix")
    if r and "error" not in r:
        _goal(g, f"Regenerate first token vs cold ({r['prompt_tokens']}-token context)", "<= 0.3x",
              r["regenerate_over_cold_ttft"], "x", lambda v: v <= 0.3)
        _goal(g, f"continue-after-accept first token vs cold ({r['prompt_tokens']}-token context)", "<= 0.3x",
              r["accept_over_cold_ttft"], "x", lambda v: v <= 0.3)
    r = results.get("startup")
    if r and "error" not in r:
        _goal(g, "window shown after process start", "<= 1.0 s", r["window_shown_s"], "ms", lambda v: v <= 1.0)
        _goal(g, "window shown before torch is imported", "yes", not r["torch_imported_before_shown"], "plain",
              lambda v: v)
    r = results.get("quit")
    if r and "error" not in r:
        _goal(g, "Quit while streaming, under load -> process exited", "< 2 s", r["quit_under_load_s"], "ms",
              lambda v, promise=r["promise_s"]: v < promise)
    r = results.get("speed")
    if r and "error" not in r and r.get("available"):
        _speed_goals(r, g)
    r = results.get("bandwidth")
    if r and "error" not in r:
        _goal(g, "fp32 decode vs memory-bandwidth bound", ">= 80%", r["fraction"], "pct", lambda v: v >= 0.8)
    return g


_SPEED_ROWS = (
    ("generate", "transformers generate, fp32"),
    ("exact", "engine on the transformers model, fp32 (GPUs, other architectures), 1 candidate"),
    ("fast_fp32", "exact mode: engine on the fast runtime, fp32 weights, 1 candidate"),
    ("fast", "fast mode: engine on the fast runtime, int8 blocks, 1 candidate"),
    ("default", "product default: fast mode, 3 candidates (first streams)"),
    ("llama_f32", "llama.cpp f32"),
    ("llama_q8_0", "llama.cpp q8_0"),
)


def _speed_rows(r: dict, add) -> None:
    if not r.get("available"):
        add("speed", "status", r.get("reason", "n/a"))
        return
    add("speed", "llama.cpp", r.get("llama_cpp", "n/a"))
    add("speed", "fast mode: graph prepared (built or opened from the cache)", fmt(r["fast_prepare_s"], "ms"))
    for p, e in r["prompts"].items():
        s = f"speed, {p}-token prompt, {r['new_tokens']} new, {r['threads']} threads"
        for key, label in _SPEED_ROWS:
            if key in e:
                add(s, f"{label}: first token / decode",
                    f"{fmt(e[key]['ttft_s'], 'ms')} / {fmt(e[key]['decode_tps'], 'tps')}")
        add(s, "product default: the 2 other candidates, made after the first", fmt(e["default"]["others_s"], "ms"))
        add(s, "greedy tokens = generate's: transformers path / exact mode",
            f"{fmt(e['exact_same_tokens_as_generate'])} / {fmt(e['fast_fp32_same_tokens_as_generate'])}")
        add(s, "fast mode: free-running greedy prefix shared with generate", fmt(e["fast_free_running_shared_prefix"], "pct"))
    q = r.get("quality")
    if q:
        s = f"quality gate: {q['model']}, {q['tokens']} tokens of prose, teacher-forced"
        add(s, "perplexity fp32 / fast", f"{q['perplexity_fp32']:.2f} / {q['perplexity_fast']:.2f}")
        add(s, "fast perplexity over fp32", f"{100 * q['perplexity_fast_over_fp32']:+.2f}%")
        add(s, "top-1 agreement with fp32: fast", fmt(q["top1_fast_vs_fp32"], "pct"))
        if "top1_llama_q8_0_vs_fp32" in q:
            add(s, "top-1 agreement with fp32: llama.cpp q8_0", fmt(q["top1_llama_q8_0_vs_fp32"], "pct"))
            add(s, "perplexity llama.cpp q8_0", f"{q['perplexity_llama_q8_0']:.2f}")


def _speed_goals(r: dict, g: list) -> None:
    for p, e in r["prompts"].items():
        _goal(g, f"product default's stream vs 1 candidate, fast mode ({p}-token prompt)", ">= 0.95x",
              e["default_over_fast_decode"], "x", lambda v: v >= 0.95)
        if "fast_over_llama_q8_0_decode" in e:
            _goal(g, f"fast mode decode vs llama.cpp q8_0 ({p}-token prompt)", ">= 1.0x",
                  e["fast_over_llama_q8_0_decode"], "x", lambda v: v >= 1.0)
            _goal(g, f"fast mode first token vs llama.cpp q8_0 ({p}-token prompt)", "<= 1.0x",
                  e["fast_over_llama_q8_0_ttft"], "x", lambda v: v <= 1.0)
        if "fast_fp32_over_llama_f32_decode" in e:
            _goal(g, f"exact mode (fp32) decode vs llama.cpp f32 ({p}-token prompt)", ">= 1.0x",
                  e["fast_fp32_over_llama_f32_decode"], "x", lambda v: v >= 1.0)
        _goal(g, f"exact mode greedy tokens = generate's ({p}-token prompt)", "yes",
              e["fast_fp32_same_tokens_as_generate"], "plain", lambda v: v)
    q = r.get("quality")
    if q:
        _goal(g, f"fast mode perplexity vs fp32 ({q['model']})", "<= +1%", q["perplexity_fast_over_fp32"], "pct",
              lambda v: v <= 0.01)
        bar = q.get("top1_llama_q8_0_vs_fp32")
        target = f">= llama.cpp q8_0's ({fmt(bar, 'pct')})" if bar is not None else ">= 95% (llama.cpp absent)"
        _goal(g, f"fast mode top-1 agreement with fp32 ({q['model']})", target, q["top1_fast_vs_fp32"], "pct",
              lambda v: v >= (bar if bar is not None else 0.95))


def render(meta: dict, rows: list[list[str]], goal_rows: list[dict]) -> str:
    lines = [
        f"aigc-desktop bench: {meta['model']} on {meta.get('resolved_device', meta['device'])}, "
        f"{meta['cpu']} [{meta.get('cpu_flags', '?')}] ({meta['cores']} cores, torch {meta['torch']}, "
        f"{meta['torch_threads']} threads), "
        f"load average {meta['load_average_start']} -> {meta.get('load_average_end')}",
        f"median of {meta['repeats']} (min–max)",
        "",
        "| section | measure | value |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    if goal_rows:
        lines += ["", "| goal | target | measured | result |", "|---|---|---|---|"]
        for goal in goal_rows:
            verdict = {True: "PASS", False: "MISS", None: "n/a"}[goal["pass"]]
            lines.append(f"| {goal['goal']} | {goal['target']} | {goal['measured']} | {verdict} |")
    return "\n".join(lines)
