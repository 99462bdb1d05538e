"""A local stand-in for an inference server: replays recorded OpenAI-compatible completion streams.

Started by the tests on 127.0.0.1 (a threaded http.server, no internet). Each scenario is a base
URL of its own, ``server.url("vllm-logprobs")`` -> ``http://127.0.0.1:PORT/vllm-logprobs``, under
which ``POST /v1/completions`` and ``GET /v1/models`` answer as that kind of server would:

    llamacpp          llama.cpp's server, no logprobs (14 tokens, then the usage/timings chunk)
    llamacpp-logprobs llama.cpp with n_probs: `logprobs.content[]` entries, Chinese, ends with eos
    vllm-logprobs     vLLM with logprobs=5: legacy `tokens/token_logprobs/top_logprobs`, usage chunk
    vllm-n2           vLLM with n=2: the two choices' chunks interleaved
    auth              401 unless "Authorization: Bearer sk-test-123" (then the llama.cpp stream)
    forbidden         403
    models            /v1/models lists gpt2 and gpt2-medium; any other model is a 404 (vLLM's words)
    busy              429 with Retry-After: 17
    broken            500 (llama.cpp's words)
    unavailable       503 while "loading the model"
    cut               4 chunks, then the connection drops mid-body (no final chunk)
    no-finish         the llama.cpp stream without its finish_reason chunk, but with [DONE]
    truncated         4 chunks, then a clean end of body with no finish_reason and no [DONE]
    malformed         2 chunks, then an event that is not JSON
    mid-error         3 chunks, then vLLM's `data: {"error": ...}` event
    slow              40 tokens, one every 50 ms, for Stop latency; notes when the client hangs up
    reject-top-k      400 "Unrecognized request argument supplied: top_k" (OpenAI's words)
    no-logprobs       422 when `logprobs` is sent (TGI-style), else the llama.cpp stream
    whole             ignores "stream": true and answers with one JSON completion
    html-404          a web server that is not an inference server: 404 HTML for everything
    hang              accepts the request and answers nothing for 5 s (timeouts; Stop while waiting)
    lossy-logprobs    llama-cpp-python's bug: asked for logprobs, a character split across tokens comes as
                      tokens with a probability and no text (its bytes lost); without logprobs, whole text
    llama-cpp-python  a stream recorded from llama-cpp-python 0.3.36's server (SmolLM2-135M, logprobs=5,
                      n=2, which it ignores: one choice only), replayed byte for byte from tests/streams/

Every request is recorded in ``server.requests`` (method, path, headers, JSON body).

The streams below are written by hand in the chunk layouts llama.cpp's server (b4514) and
vLLM (0.6.x) use; `llama-cpp-python` is a real server's stream, recorded with curl.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

API_KEY = "sk-test-123"

LLAMACPP_STREAM = [
    '{"choices":[{"text":" there","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" was","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" a","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" little","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" girl","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" who","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" lived","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" in","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" a","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" village","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" near","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" the","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":" forest","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":".","index":0,"logprobs":null,"finish_reason":null}],"created":1736935210,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE"}',
    '{"choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"length"}],"created":1736935211,"model":"gpt2-q8_0.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","usage":{"completion_tokens":14,"prompt_tokens":4,"total_tokens":18},"id":"chatcmpl-Qm3b8XwL0cZt1R7yVf2pK9sD4hN6uJaE","timings":{"prompt_n":4,"prompt_ms":6.112,"prompt_per_token_ms":1.528,"prompt_per_second":654.45,"predicted_n":14,"predicted_ms":101.834,"predicted_per_token_ms":7.274,"predicted_per_second":137.48}}',
    '[DONE]',
]

VLLM_LOGPROBS_STREAM = [
    '{"id":"cmpl-5f0c2e8a91d34b7e8c6a4d2b19f7e3a0","object":"text_completion","created":1736935301,"model":"gpt2","choices":[{"index":0,"text":" Paris","logprobs":{"text_offset":[24],"token_logprobs":[-0.8316],"tokens":[" Paris"],"top_logprobs":[{" Paris":-0.8316," the":-2.1203," a":-2.9871," located":-3.441," not":-3.9925}]},"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-5f0c2e8a91d34b7e8c6a4d2b19f7e3a0","object":"text_completion","created":1736935301,"model":"gpt2","choices":[{"index":0,"text":",","logprobs":{"text_offset":[30],"token_logprobs":[-1.0544],"tokens":[","],"top_logprobs":[{",":-1.0544,".":-1.2271," and":-2.0125," (":-3.7719," which":-3.881}]},"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-5f0c2e8a91d34b7e8c6a4d2b19f7e3a0","object":"text_completion","created":1736935301,"model":"gpt2","choices":[{"index":0,"text":" and","logprobs":{"text_offset":[31],"token_logprobs":[-0.9312],"tokens":[" and"],"top_logprobs":[{" and":-0.9312," the":-1.7708," which":-2.3105," but":-2.9987," a":-3.2204}]},"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-5f0c2e8a91d34b7e8c6a4d2b19f7e3a0","object":"text_completion","created":1736935301,"model":"gpt2","choices":[{"index":0,"text":" the","logprobs":{"text_offset":[35],"token_logprobs":[-1.3877],"tokens":[" the"],"top_logprobs":[{" the":-1.3877," it":-1.842," its":-2.5519," Paris":-2.9031," France":-3.1562}]},"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-5f0c2e8a91d34b7e8c6a4d2b19f7e3a0","object":"text_completion","created":1736935301,"model":"gpt2","choices":[{"index":0,"text":" capital","logprobs":{"text_offset":[39],"token_logprobs":[-1.6602],"tokens":[" capital"],"top_logprobs":[{" capital":-1.6602," city":-1.9044," country":-2.2231," largest":-2.7168," French":-2.8014}]},"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-5f0c2e8a91d34b7e8c6a4d2b19f7e3a0","object":"text_completion","created":1736935301,"model":"gpt2","choices":[{"index":0,"text":" of","logprobs":{"text_offset":[47],"token_logprobs":[-0.1023],"tokens":[" of"],"top_logprobs":[{" of":-0.1023," city":-3.6155," is":-3.8801,",":-4.4062," and":-4.718}]},"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-5f0c2e8a91d34b7e8c6a4d2b19f7e3a0","object":"text_completion","created":1736935301,"model":"gpt2","choices":[{"index":0,"text":" Germany","logprobs":{"text_offset":[50],"token_logprobs":[-1.9215],"tokens":[" Germany"],"top_logprobs":[{" Germany":-1.9215," the":-1.992," Italy":-2.3376," Spain":-2.441," England":-2.6093}]},"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-5f0c2e8a91d34b7e8c6a4d2b19f7e3a0","object":"text_completion","created":1736935301,"model":"gpt2","choices":[{"index":0,"text":" is","logprobs":{"text_offset":[58],"token_logprobs":[-0.2468],"tokens":[" is"],"top_logprobs":[{" is":-0.2468,",":-2.8877," and":-3.112," was":-4.0067,".":-4.331}]},"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-5f0c2e8a91d34b7e8c6a4d2b19f7e3a0","object":"text_completion","created":1736935301,"model":"gpt2","choices":[{"index":0,"text":" Berlin","logprobs":{"text_offset":[61],"token_logprobs":[-0.3981],"tokens":[" Berlin"],"top_logprobs":[{" Berlin":-0.3981," Munich":-2.6605," the":-3.0718," Frankfurt":-3.9921," Bonn":-4.1377}]},"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-5f0c2e8a91d34b7e8c6a4d2b19f7e3a0","object":"text_completion","created":1736935301,"model":"gpt2","choices":[{"index":0,"text":".","logprobs":{"text_offset":[68],"token_logprobs":[-0.5127],"tokens":["."],"top_logprobs":[{".":-0.5127,",":-1.4411," and":-3.2208,";":-4.8816,"!":-5.1031}]},"finish_reason":"length","stop_reason":null}],"usage":null}',
    '{"id":"cmpl-5f0c2e8a91d34b7e8c6a4d2b19f7e3a0","object":"text_completion","created":1736935301,"model":"gpt2","choices":[],"usage":{"prompt_tokens":5,"total_tokens":15,"completion_tokens":10,"prompt_tokens_details":null}}',
    '[DONE]',
]

LLAMACPP_LOGPROBS_STREAM = [
    '{"choices":[{"text":"我们","index":0,"logprobs":{"content":[{"id":19463,"token":"我们","bytes":[230,136,145,228,187,172],"logprob":-0.4106,"top_logprobs":[{"id":19463,"token":"我们","bytes":[230,136,145,228,187,172],"logprob":-0.4106},{"id":3751,"token":"我","bytes":[230,136,145],"logprob":-1.663},{"id":41217,"token":"阳光","bytes":[233,152,179,229,133,137],"logprob":-2.9802},{"id":29101,"token":"适合","bytes":[233,128,130,229,144,136],"logprob":-3.3521},{"id":11940,"token":"大家","bytes":[229,164,167,229,174,182],"logprob":-3.7088}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"一起","index":0,"logprobs":{"content":[{"id":14003,"token":"一起","bytes":[228,184,128,232,181,183],"logprob":-0.7552,"top_logprobs":[{"id":14003,"token":"一起","bytes":[228,184,128,232,181,183],"logprob":-0.7552},{"id":3203,"token":"去","bytes":[229,142,187],"logprob":-1.312},{"id":20931,"token":"出去","bytes":[229,135,186,229,142,187],"logprob":-2.2248},{"id":18762,"token":"决定","bytes":[229,134,179,229,174,154],"logprob":-2.8813},{"id":1004,"token":"在","bytes":[229,156,168],"logprob":-3.1095}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"去","index":0,"logprobs":{"content":[{"id":3203,"token":"去","bytes":[229,142,187],"logprob":-0.221,"top_logprobs":[{"id":3203,"token":"去","bytes":[229,142,187],"logprob":-0.221},{"id":1528,"token":"到","bytes":[229,136,176],"logprob":-2.2461},{"id":1606,"token":"出","bytes":[229,135,186],"logprob":-3.1977},{"id":1004,"token":"在","bytes":[229,156,168],"logprob":-3.883},{"id":5651,"token":"走","bytes":[232,181,176],"logprob":-4.0213}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"公园","index":0,"logprobs":{"content":[{"id":30116,"token":"公园","bytes":[229,133,172,229,155,173],"logprob":-0.6931,"top_logprobs":[{"id":30116,"token":"公园","bytes":[229,133,172,229,155,173],"logprob":-0.6931},{"id":42518,"token":"海边","bytes":[230,181,183,232,190,185],"logprob":-1.6094},{"id":51822,"token":"郊外","bytes":[233,131,138,229,164,150],"logprob":-2.5257},{"id":47109,"token":"爬山","bytes":[231,136,172,229,177,177],"logprob":-2.9957},{"id":24508,"token":"外面","bytes":[229,164,150,233,157,162],"logprob":-3.2189}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"散步","index":0,"logprobs":{"content":[{"id":33672,"token":"散步","bytes":[230,149,163,230,173,165],"logprob":-0.6539,"top_logprobs":[{"id":33672,"token":"散步","bytes":[230,149,163,230,173,165],"logprob":-0.6539},{"id":5423,"token":"玩","bytes":[231,142,169],"logprob":-1.4271},{"id":50291,"token":"野餐","bytes":[233,135,142,233,164,144],"logprob":-2.0349},{"id":38810,"token":"走走","bytes":[232,181,176,232,181,176],"logprob":-2.8134},{"id":2764,"token":"看","bytes":[231,156,139],"logprob":-3.3322}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"吧","index":0,"logprobs":{"content":[{"id":2306,"token":"吧","bytes":[229,144,167],"logprob":-0.9163,"top_logprobs":[{"id":2306,"token":"吧","bytes":[229,144,167],"logprob":-0.9163},{"id":236,"token":"。","bytes":[227,128,130],"logprob":-1.0498},{"id":235,"token":"，","bytes":[239,188,140],"logprob":-2.1203},{"id":1129,"token":"了","bytes":[228,186,134],"logprob":-3.4017},{"id":253,"token":"！","bytes":[239,188,129],"logprob":-3.912}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"。","index":0,"logprobs":{"content":[{"id":236,"token":"。","bytes":[227,128,130],"logprob":-0.0619,"top_logprobs":[{"id":236,"token":"。","bytes":[227,128,130],"logprob":-0.0619},{"id":253,"token":"！","bytes":[239,188,129],"logprob":-3.2189},{"id":261,"token":"？","bytes":[239,188,159],"logprob":-4.6052},{"id":235,"token":"，","bytes":[239,188,140],"logprob":-5.2983},{"id":93,"token":"~","bytes":[126],"logprob":-6.9078}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"回来","index":0,"logprobs":{"content":[{"id":16210,"token":"回来","bytes":[229,155,158,230,157,165],"logprob":-1.8971,"top_logprobs":[{"id":198,"token":"\\n","bytes":[10],"logprob":-0.6325},{"id":16210,"token":"回来","bytes":[229,155,158,230,157,165],"logprob":-1.8971},{"id":22173,"token":"下午","bytes":[228,184,139,229,141,136],"logprob":-2.4079},{"id":943,"token":"他","bytes":[228,187,150],"logprob":-2.8134},{"id":19014,"token":"妈妈","bytes":[229,166,136,229,166,136],"logprob":-3.0159}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"的时候","index":0,"logprobs":{"content":[{"id":17394,"token":"的时候","bytes":[231,154,132,230,151,182,229,128,153],"logprob":-0.3285,"top_logprobs":[{"id":17394,"token":"的时候","bytes":[231,154,132,230,151,182,229,128,153],"logprob":-0.3285},{"id":1045,"token":"后","bytes":[229,144,142],"logprob":-1.772},{"id":20557,"token":"以后","bytes":[228,187,165,229,144,142],"logprob":-2.6593},{"id":1887,"token":"再","bytes":[229,134,141],"logprob":-3.3242},{"id":1116,"token":"时","bytes":[230,151,182],"logprob":-3.8816}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"买","index":0,"logprobs":{"content":[{"id":4163,"token":"买","bytes":[228,185,176],"logprob":-1.204,"top_logprobs":[{"id":4163,"token":"买","bytes":[228,185,176],"logprob":-1.204},{"id":41012,"token":"顺便","bytes":[233,161,186,228,190,191],"logprob":-1.4697},{"id":2049,"token":"还","bytes":[232,191,152],"logprob":-2.0402},{"id":3203,"token":"去","bytes":[229,142,187],"logprob":-2.4079},{"id":9221,"token":"可以","bytes":[229,143,175,228,187,165],"logprob":-2.6593}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"冰淇淋","index":0,"logprobs":{"content":[{"id":52811,"token":"冰淇淋","bytes":[229,134,176,230,183,135,230,183,139],"logprob":-0.8916,"top_logprobs":[{"id":52811,"token":"冰淇淋","bytes":[229,134,176,230,183,135,230,183,139],"logprob":-0.8916},{"id":5901,"token":"菜","bytes":[232,143,156],"logprob":-1.6094},{"id":30772,"token":"水果","bytes":[230,176,180,230,158,156],"logprob":-1.8326},{"id":2397,"token":"点","bytes":[231,130,185],"logprob":-2.4079},{"id":12098,"token":"东西","bytes":[228,184,156,232,165,191],"logprob":-2.8134}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"。","index":0,"logprobs":{"content":[{"id":236,"token":"。","bytes":[227,128,130],"logprob":-0.1625,"top_logprobs":[{"id":236,"token":"。","bytes":[227,128,130],"logprob":-0.1625},{"id":4398,"token":"吃","bytes":[229,144,131],"logprob":-2.6593},{"id":253,"token":"！","bytes":[239,188,129],"logprob":-3.5066},{"id":235,"token":"，","bytes":[239,188,140],"logprob":-3.912},{"id":24791,"token":"回家","bytes":[229,155,158,229,174,182],"logprob":-4.6052}]}]},"finish_reason":null}],"created":1736935433,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG"}',
    '{"choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"stop"}],"created":1736935434,"model":"gpt2-chinese-cluecorpussmall-f16.gguf","system_fingerprint":"b4514-a8a1f3b5","object":"text_completion","usage":{"completion_tokens":13,"prompt_tokens":9,"total_tokens":22},"id":"chatcmpl-b2JX9cVq7LrT0yHa5WmE1uZ8nKd3sPfG","timings":{"prompt_n":9,"prompt_ms":11.204,"prompt_per_token_ms":1.245,"prompt_per_second":803.28,"predicted_n":13,"predicted_ms":88.917,"predicted_per_token_ms":6.84,"predicted_per_second":146.2}}',
    '[DONE]',
]

VLLM_N2_STREAM = [
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":0,"text":" there","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":1,"text":" the","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":0,"text":" was","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":1,"text":" world","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":0,"text":" a","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":1,"text":" was","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":0,"text":" little","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":1,"text":" young","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":0,"text":" girl","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":1,"text":" and","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":0,"text":" named","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":1,"text":" full","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":0,"text":" Alice","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":1,"text":" of","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":0,"text":".","logprobs":null,"finish_reason":"length","stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[{"index":1,"text":" magic","logprobs":null,"finish_reason":"length","stop_reason":null}],"usage":null}',
    '{"id":"cmpl-0e7d5a3c2b1f4e98a6d7c5b4a3f2e1d0","object":"text_completion","created":1736935502,"model":"gpt2","choices":[],"usage":{"prompt_tokens":4,"total_tokens":20,"completion_tokens":16,"prompt_tokens_details":null}}',
    '[DONE]',
]

SLOW_TOKENS = [f" word{i}" for i in range(40)]
SLOW_DELAY = 0.05

MODELS = {
    "object": "list",
    "data": [
        {"id": "gpt2", "object": "model", "created": 1736935000, "owned_by": "vllm", "root": "gpt2",
         "parent": None, "max_model_len": 1024, "permission": []},
        {"id": "gpt2-medium", "object": "model", "created": 1736935000, "owned_by": "vllm",
         "root": "gpt2-medium", "parent": None, "max_model_len": 1024, "permission": []},
    ],
}
RECORDED = Path(__file__).parent / "streams"
# What llama-cpp-python's server lists: no context length.
LLAMA_CPP_PYTHON_MODELS = {"object": "list",
                           "data": [{"id": "smollm2", "object": "model", "owned_by": "me", "permissions": []}]}


def recorded_events(name: str) -> list[str]:
    """The data of each event in a recorded SSE file ("[DONE]" included)."""
    text = (RECORDED / name).read_text(encoding="utf-8")
    return [block[len("data: "):] for block in text.split("\n\n") if block.startswith("data: ")]


LLAMACPP_MODELS = {
    "object": "list",
    "data": [{"id": "gpt2-q8_0.gguf", "object": "model", "created": 1736935000, "owned_by": "llamacpp",
              "meta": {"vocab_type": 2, "n_vocab": 50257, "n_ctx_train": 1024, "n_embd": 768,
                       "n_params": 163037184, "size": 177462528}}],
}


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: dict | None
    port: int = 0  # the client's side of the connection: the same port is the same connection


@dataclass
class Disconnect:
    scenario: str
    at: float  # time.monotonic() when a write to the client failed
    sent: int  # chunks the client had been sent


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    # ----- routing -----------------------------------------------------------------------------
    def do_GET(self):
        scenario, path = self._split()
        self._record(None)
        if scenario == "html-404":
            return self._html_404()
        if path == "/v1/models":
            if scenario in ("models", "vllm-logprobs", "vllm-n2"):
                return self._json(200, MODELS)
            if scenario in ("llamacpp", "llamacpp-logprobs"):
                return self._json(200, LLAMACPP_MODELS)
            if scenario == "llama-cpp-python":
                return self._json(200, LLAMA_CPP_PYTHON_MODELS)
            if scenario == "auth":
                return self._auth() or self._json(200, LLAMACPP_MODELS)
            if scenario == "forbidden":
                return self._forbidden()
        self._json(404, {"detail": "Not Found"})

    def do_POST(self):
        scenario, path = self._split()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        self._record(body)
        if scenario == "html-404":
            return self._html_404()
        if path != "/v1/completions" or not isinstance(body, dict):
            return self._json(404, {"detail": "Not Found"})
        handler = getattr(self, "_scenario_" + scenario.replace("-", "_"), None)
        if handler is None:
            return self._json(404, {"detail": f"no scenario {scenario!r}"})
        handler(body)

    # ----- scenarios ---------------------------------------------------------------------------
    def _scenario_llamacpp(self, body):
        self._stream(LLAMACPP_STREAM)

    def _scenario_llama_cpp_python(self, body):
        self._stream(recorded_events("llama-cpp-python-0.3.36.sse"))

    def _scenario_llamacpp_logprobs(self, body):
        self._stream(LLAMACPP_LOGPROBS_STREAM)

    def _scenario_vllm_logprobs(self, body):
        self._stream(VLLM_LOGPROBS_STREAM)

    def _scenario_vllm_n2(self, body):
        self._stream(VLLM_N2_STREAM)

    def _scenario_auth(self, body):
        self._auth() or self._stream(LLAMACPP_STREAM)

    def _scenario_forbidden(self, body):
        self._forbidden()

    def _scenario_models(self, body):
        model = body.get("model")
        if model not in (None, "gpt2", "gpt2-medium"):
            return self._json(404, {"object": "error", "message": f"The model `{model}` does not exist.",
                                    "type": "NotFoundError", "param": None, "code": 404})
        self._stream(VLLM_LOGPROBS_STREAM)

    def _scenario_busy(self, body):
        self._json(429, {"error": {"message": "Rate limit reached for requests", "type": "requests",
                                   "param": None, "code": "rate_limit_exceeded"}}, {"Retry-After": "17"})

    def _scenario_broken(self, body):
        self._json(500, {"error": {"code": 500, "message": "llama_decode failed: could not find a KV slot",
                                   "type": "server_error"}})

    def _scenario_unavailable(self, body):
        self._json(503, {"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}})

    def _scenario_cut(self, body):
        self._stream(LLAMACPP_STREAM[:4], end=False)

    def _scenario_no_finish(self, body):
        self._stream(LLAMACPP_STREAM[:-2] + ["[DONE]"])

    def _scenario_truncated(self, body):
        self._stream(LLAMACPP_STREAM[:4])

    def _scenario_malformed(self, body):
        self._stream(LLAMACPP_STREAM[:2] + ['{"choices":[{"text":" girl","index":0,"logprobs":nu'])

    def _scenario_mid_error(self, body):
        self._stream(VLLM_LOGPROBS_STREAM[:3] + [json.dumps(
            {"error": {"object": "error", "message": "CUDA error: an illegal memory access was encountered",
                       "type": "InternalServerError", "param": None, "code": 500}})])

    def _scenario_slow(self, body):
        chunks = [json.dumps({"choices": [{"text": tok, "index": 0, "logprobs": None, "finish_reason": None}],
                              "created": 1736935600, "model": "gpt2-q8_0.gguf", "object": "text_completion",
                              "id": "chatcmpl-slow"}) for tok in SLOW_TOKENS]
        chunks.append(json.dumps({"choices": [{"text": "", "index": 0, "logprobs": None, "finish_reason": "length"}],
                                  "created": 1736935600, "model": "gpt2-q8_0.gguf", "object": "text_completion",
                                  "id": "chatcmpl-slow"}))
        self._stream(chunks + ["[DONE]"], delay=SLOW_DELAY, scenario="slow")

    def _scenario_reject_top_k(self, body):
        if "top_k" in body:
            return self._json(400, {"error": {"message": "Unrecognized request argument supplied: top_k",
                                              "type": "invalid_request_error", "param": None, "code": None}})
        self._stream(LLAMACPP_STREAM)

    def _scenario_no_logprobs(self, body):
        if "logprobs" in body:
            return self._json(422, {"error": "Input validation error: `logprobs` is not supported",
                                    "error_type": "validation"})
        self._stream(LLAMACPP_STREAM)

    def _scenario_lossy_logprobs(self, body):
        def chunk(text, logprobs=None, finish=None):
            return json.dumps({"id": "cmpl-lossy", "object": "text_completion", "model": "smollm2",
                               "choices": [{"text": text, "index": 0, "logprobs": logprobs, "finish_reason": finish}]},
                              ensure_ascii=False)

        def scored(token, logprob):
            return {"tokens": [token], "text_offset": [0], "token_logprobs": [logprob],
                    "top_logprobs": [{token: logprob, "的": -2.5}]}

        if "logprobs" in body:  # "我" whole, then the three byte-tokens of "们", each decoded to nothing
            events = [chunk("我", scored("我", -0.5)), chunk("", scored("", -0.1)), chunk("", scored("", -0.2)),
                      chunk("", scored("", -0.3)), chunk("去", scored("去", -0.4)), chunk("", None, "length")]
        else:
            events = [chunk("们"), chunk("去"), chunk("公园"), chunk("。", None, "length")]
        self._stream(events + ["[DONE]"])

    def _scenario_whole(self, body):
        text = "".join(json.loads(chunk)["choices"][0]["text"] for chunk in LLAMACPP_STREAM[:-1])
        self._json(200, {"choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": "length"}],
                         "created": 1736935210, "model": "gpt2-q8_0.gguf", "object": "text_completion",
                         "usage": {"completion_tokens": 14, "prompt_tokens": 4, "total_tokens": 18},
                         "id": "chatcmpl-whole"})

    def _scenario_hang(self, body):
        self.server.closing.wait(5.0)
        self.close_connection = True

    # ----- helpers -----------------------------------------------------------------------------
    def _split(self) -> tuple[str, str]:
        """'/vllm-n2/v1/completions?x' -> ('vllm-n2', '/v1/completions')."""
        scenario, _, rest = self.path.split("?")[0].lstrip("/").partition("/")
        return scenario, "/" + rest

    def _record(self, body) -> None:
        self.server.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body,
                                             self.client_address[1]))

    def _auth(self) -> bool:
        """Answer 401 and return True unless the right key came."""
        if self.headers.get("Authorization") == f"Bearer {API_KEY}":
            return False
        self._json(401, {"error": {"code": 401, "message": "Invalid API Key", "type": "authentication_error"}})
        return True

    def _forbidden(self) -> None:
        self._json(403, {"error": {"message": "Project does not have access to model `gpt2-xl`",
                                   "type": "invalid_request_error", "param": None, "code": "model_not_found"}})

    def _json(self, status: int, payload, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _html_404(self) -> None:
        data = b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, events: list[str], end: bool = True, delay: float = 0.0, scenario: str = "") -> None:
        """Send events as SSE in HTTP/1.1 chunks; end=False drops the connection without the last chunk."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        sent = 0
        try:
            for payload in events:
                if self.server.closing.is_set():
                    return
                data = f"data: {payload}\n\n".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
                sent += 1
                if delay:
                    time.sleep(delay)
            if end:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except (BrokenPipeError, ConnectionResetError):
            self.server.disconnects.append(Disconnect(scenario, time.monotonic(), sent))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[Recorded] = []
        self.disconnects: list[Disconnect] = []
        self.closing = threading.Event()


@dataclass
class SSEServer:
    """Start with `with SSEServer() as server:` (or start()/close())."""

    _server: _Server | None = None
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> "SSEServer":
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="sse-server", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.closing.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "SSEServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, scenario: str) -> str:
        return f"http://127.0.0.1:{self.port}/{scenario}"

    @property
    def requests(self) -> list[Recorded]:
        return self._server.requests

    @property
    def disconnects(self) -> list[Disconnect]:
        return self._server.disconnects

    def completions(self) -> list[dict]:
        """The JSON bodies of the completion requests so far."""
        return [r.body for r in self.requests if r.method == "POST"]


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":  # python tests/sse_server.py: serve until Ctrl+C, for trying the CLI by hand
    with SSEServer() as server:
        print(f"serving on http://127.0.0.1:{server.port}/<scenario> (see the module's notes)")
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
