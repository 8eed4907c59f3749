"""Image captioning: a CNN encoder and an LSTM decoder with soft attention (Show, Attend
and Tell). The procedural scene generator, its default data, lives in ``scenes``."""
