"""The fast runtime: the model written once as an ONNX decoding-step graph (8-bit weights), run by ONNX Runtime
with an in-place key/value cache, behind the same step-decoder interface as the transformers model."""
