"""Intent classification: the explainer's "what time is it?" as a live model. One RNN reads a
request word by word; its last state decides the intent and its output at every word tags
the slots (time, date, location, duration).

    from intent import IntentClassifier
    clf = IntentClassifier.from_pretrained("gru")
    clf.classify("wake me up at 7 am tomorrow").intent
"""

from intent.inference import IntentClassifier, IntentResult, list_pretrained

__all__ = ["IntentClassifier", "IntentResult", "list_pretrained"]
