"""Text generation: an RNN language model that writes, fills in the blank, and shows what it
expected next. A left-to-right and a right-to-left model, trained together on a stream of
text (truncated backpropagation through time), with tied input and output embeddings.

    from textgen import TextGenerator
    g = TextGenerator.from_pretrained("shakespeare")
    g.generate("ROMEO.\\n", max_new_tokens=200, seed=1)
"""

from textgen.blanks import Fill
from textgen.inference import GeneratedToken, ScoreResult, TextGenerator, list_pretrained

__all__ = ["Fill", "GeneratedToken", "ScoreResult", "TextGenerator", "list_pretrained"]
