"""The text pipeline the local and the server paths share: the request, the context, sampling, stop texts, the stop flag and detokenising."""
