"""Translation: a bidirectional RNN encoder and an attention decoder, trained on gettext
catalogs; shows the source-target attention matrix.

    from translation import Translator
    mt = Translator.from_pretrained("en-fr")
    mt.translate("Permission denied").text
"""

from translation.inference import TranslationResult, Translator, list_pretrained

__all__ = ["TranslationResult", "Translator", "list_pretrained"]
