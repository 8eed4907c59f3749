"""Video tagging: a CNN reads every frame, a bidirectional RNN reads the frames in order, and
an attention decoder says what happened, looking back over time for each word.

    from video import VideoTagger
    VideoTagger.from_pretrained().describe("clip.mp4").text
"""

from video.inference import VideoDescription, VideoTagger, list_pretrained

__all__ = ["VideoDescription", "VideoTagger", "list_pretrained"]
