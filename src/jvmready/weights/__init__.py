"""Weight files and scikit-learn pickles: read, check and fix their integer arrays.

One module per source format (``npy``, ``npz``, ``safetensors_file``, ``torch_state``,
``sklearn_model``); the check/fix logic they share lives in :mod:`jvmready.weights.arrays`.
"""
