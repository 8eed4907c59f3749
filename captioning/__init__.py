"""Image captioning: a CNN encoder and an LSTM decoder with soft attention (Show, Attend
and Tell); shows, for every word, where the model looked.

    from captioning import Captioner
    Captioner.from_pretrained().caption("scene.png").text
"""

from captioning.inference import Captioner, CaptionResult, list_pretrained

__all__ = ["CaptionResult", "Captioner", "list_pretrained"]
