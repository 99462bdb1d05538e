"""Running a step graph (graph.py) in ONNX Runtime with a pre-allocated key/value cache.

Each layer's keys and values live in one buffer per kind, [rows, kv_heads,
capacity, head_dim], bound as both the input and the output of its
GroupQueryAttention node: a step writes only the new position, with no copy of
the past. The capacity grows by doubling when a context needs more.
"""

from __future__ import annotations

import numpy as np

from .graph import shape_from_metadata

_FIRST_CAPACITY = 256


class StepSession:
    """One ONNX Runtime session over a step graph; thread-confined like the Generator that owns it."""

    def __init__(self, onnx_model: bytes | str, threads: int) -> None:
        """onnx_model: a serialised graph from graph.build_step_graph, or the path of one."""
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # its warnings are about node placement, not for the writer
        self.session = ort.InferenceSession(onnx_model, options, providers=["CPUExecutionProvider"])
        self.shape, self.bits = shape_from_metadata(self.session.get_modelmeta().custom_metadata_map)

    def cache(self, rows: int = 1, capacity: int = _FIRST_CAPACITY) -> "KVCache":
        return KVCache(self, rows, capacity)


class KVCache:
    """The keys/values of `length` tokens for `rows` sequences, and the step that extends them."""

    def __init__(self, session: StepSession, rows: int, capacity: int) -> None:
        self._session = session
        self.rows = rows
        self.length = 0
        self._capacity = 0
        self._buffers: list[np.ndarray] = []
        self._io = session.session.io_binding()
        self._logits = np.empty((rows, 1, session.shape.vocab), np.float32)
        self._io.bind_output("logits", "cpu", 0, np.float32, list(self._logits.shape), self._logits.ctypes.data)
        self._grow(capacity)

    def _grow(self, capacity: int) -> None:
        s = self._session.shape
        capacity = min(max(capacity, _FIRST_CAPACITY), s.max_positions)
        old = self._buffers
        self._buffers = [np.zeros((self.rows, s.kv_heads, capacity, s.head_dim), np.float32)
                         for _ in range(2 * s.layers)]
        for new, previous in zip(self._buffers, old):
            new[:, :, : self.length] = previous[:, :, : self.length]
        self._capacity = capacity
        for i, buffer in enumerate(self._buffers):
            kind, layer = ("key", "value")[i % 2], i // 2
            for name in (f"past_{kind}_{layer}", f"present_{kind}_{layer}"):
                bind = self._io.bind_input if name.startswith("past") else self._io.bind_output
                bind(name, "cpu", 0, np.float32, list(buffer.shape), buffer.ctypes.data)

    def keep(self, length: int) -> None:
        """Forget every token after the first `length` (the buffers are reused as they are)."""
        self.length = min(self.length, max(0, length))

    def forward(self, ids: np.ndarray) -> np.ndarray:
        """Feed ids [rows, new] after the cached tokens; the logits [rows, vocab] of the last one.

        The returned array is overwritten by the next call.
        """
        rows, new = ids.shape
        total = self.length + new
        s = self._session.shape
        if total > s.max_positions:
            raise ValueError(f"{total} tokens exceed the model's {s.max_positions} positions")
        if total > self._capacity:
            self._grow(max(total, 2 * self._capacity))
        io = self._io
        io.bind_cpu_input("input_ids", np.ascontiguousarray(ids, dtype=np.int64))
        if s.learned_positions:
            positions = np.broadcast_to(np.arange(self.length, total, dtype=np.int64), (rows, new))
            io.bind_cpu_input("position_ids", np.ascontiguousarray(positions))
        io.bind_cpu_input("seqlens_k", np.full(rows, total - 1, np.int32))
        io.bind_cpu_input("total_sequence_length", np.array(total, np.int32))
        self._session.session.run_with_iobinding(io)
        self.length = total
        return self._logits[:, 0]

    def fork(self, rows: int, length: int) -> "KVCache":
        """A new cache of `rows` copies of this one's first row, up to `length` tokens."""
        other = KVCache(self._session, rows, max(self._capacity, length))
        for mine, theirs in zip(self._buffers, other._buffers):
            theirs[:, :, :length] = mine[:1, :, :length]
        other.length = length
        return other
