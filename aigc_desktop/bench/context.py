"""What the sections of one bench run share: options, the model, prompts, the window.

Everything is made on first use, so a run with `--only` builds only what its
sections need (and starts the window's process only when a section measures it).
"""

from __future__ import annotations

import argparse
from typing import cast

from ..engine.backend import open_backend
from ..engine.quiet_libraries import quiet_transformers
from ..engine.server.server_address import server_source
from .editor import EditorClient
from .prompts import Prompt, exact_prompt, rotated_passage


class BenchContext:
    def __init__(self, args: argparse.Namespace, source: str) -> None:
        self.args = args
        self.source = source  # a model folder or hub id, loaded with the engine's load_model (or a server's URL)
        self.device = args.device
        self._loaded = None
        self._backend = None
        self._prompts: dict[int, Prompt] = {}
        self._editor = None

    @property
    def loaded(self):
        """The engine's LoadedModel (fp32 on CPU), loaded once for the in-process sections."""
        if self._loaded is None:
            from ..engine.local.loading import load_model

            quiet_transformers()
            self._loaded = load_model(self.source, self.device, allow_download=False)
        return self._loaded

    @property
    def backend(self):
        """What the sections run on, through the engine's Backend interface: the local engine, or
        the inference server given with --server (the same RemoteBackend the CLI and editor use)."""
        if self._backend is None:
            if self.args.server:

                # warm_up: a wrong URL, key or model fails here, before any section
                self._backend = open_backend(server_source(self.args.server, self.args.remote_model or ""),
                                             api_key_env=self.args.api_key_env, server=True, warm_up=True)
            else:
                from ..engine.local.generator import Generator

                generator = Generator(self.loaded)  # the model the raw sections measure, loaded once
                generator.warm_up()
                self._backend = generator
        return self._backend

    def prompt_budget(self, new_tokens: int) -> int:
        """The most text tokens a prompt may have so that new_tokens still fit the window."""
        return self.loaded.window - len(self.loaded.prefix_ids) - new_tokens - 1

    def prompt(self, tokens: int) -> Prompt:
        if tokens not in self._prompts:
            lm = self.loaded
            self._prompts[tokens] = exact_prompt(lm.tokenizer, tokens, lm.prefix_ids)
        return self._prompts[tokens]

    def cold_prompts(self, tokens: int) -> list[Prompt]:
        """Two other prompts of this size whose first tokens differ from each other.

        The editor's engine keeps the key/value cache of its last context; running these in
        turn makes every editor run start cold, as the raw and engine runs do (reset_cache).
        """
        lm = self.loaded
        found: list[Prompt] = []
        for k in range(1, 5):
            p = exact_prompt(lm.tokenizer, tokens, lm.prefix_ids, rotated_passage(k))
            first = p.ids[len(lm.prefix_ids)]
            if p.tokens == tokens and all(q.ids[len(lm.prefix_ids)] != first for q in found):
                found.append(p)
            if len(found) == 2:
                return found
        return found + [self.prompt(tokens)] * (2 - len(found))  # no luck: some runs may reuse a prefix

    def prompt_sizes(self, new_tokens: int) -> list[int]:
        """The requested prompt sizes, each cut to what the window allows."""
        budget = self.prompt_budget(new_tokens)
        return sorted({max(1, min(n, budget)) for n in self.args.prompt_tokens})

    @property
    def editor(self):
        """An offscreen MainWindow with the real worker and engine loader, in a process of its own."""
        if self._editor is None:
            source = self.source
            if self.args.server:
                from ..engine.server.remote import RemoteBackend

                remote = cast(RemoteBackend, self.backend)  # with --server, the backend is the server
                source = server_source(self.args.server, remote.model or "", remote.timeout)
            self._editor = EditorClient(source, self.device)
        return self._editor

    def close(self) -> None:
        if self._editor is not None:
            self._editor.close()
            self._editor = None
