"""Speech recognition: log-mel features, a convolutional front end, bidirectional GRUs and CTC."""

from speech.inference import Transcriber, Transcription, list_pretrained

__all__ = ["Transcriber", "Transcription", "list_pretrained"]
