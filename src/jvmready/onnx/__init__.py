"""ONNX models: loading without pulling weights into memory, walking graphs, checking, fixing."""
