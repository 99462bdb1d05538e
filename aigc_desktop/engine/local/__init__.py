"""The local model: finding, checking, downloading and loading it, and decoding with it."""
