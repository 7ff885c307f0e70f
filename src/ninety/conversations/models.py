"""Calls with a transcript (and maybe a recording): turns, metrics, the way found, the tone."""

from __future__ import annotations

from django.db import models


class Conversation(models.Model):
    """One call of a rep, attached to its activity (the funnel event it was)."""

    org = models.ForeignKey("people.Org", on_delete=models.CASCADE, related_name="conversations")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="conversations"
    )
    activity = models.OneToOneField(
        "activity.Activity", on_delete=models.CASCADE, related_name="conversation"
    )
    occurred_at = models.DateTimeField()
    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=4)
    #: The stage the call belongs to (its activity type is the stage's entry type), if any.
    stage_key = models.CharField(max_length=50, blank=True)
    behavior = models.ForeignKey(
        "playbook.Behavior", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: :class:`ninety.core.conversations.metrics.CallMetrics` as a dict.
    metrics = models.JSONField(default=dict)
    detected_way = models.ForeignKey(
        "playbook.Way", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    way_score = models.FloatField(null=True, blank=True)
    #: ``minilm`` (the sentence model) or ``lexical`` (the fallback); blank: not looked for.
    way_method = models.CharField(max_length=20, blank=True)
    way_sentence = models.TextField(blank=True)
    way_turn = models.PositiveIntegerField(null=True, blank=True)
    #: Why the sentence model was not used, when it was not.
    way_note = models.CharField(max_length=300, blank=True)
    #: :class:`ninety.core.conversations.tone.Tone` as a dict, when a recording was analysed.
    tone = models.JSONField(null=True, blank=True)
    tone_note = models.CharField(max_length=300, blank=True)
    imported_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["person", "occurred_at"], name="conversation_person")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.person_id}, {self.occurred_at:%Y-%m-%d})"


class Turn(models.Model):
    """One speaker's uninterrupted words in a call."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    index = models.PositiveIntegerField()
    speaker = models.CharField(max_length=100)
    role = models.CharField(max_length=10)
    start = models.FloatField(null=True, blank=True)
    end = models.FloatField(null=True, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ["conversation", "index"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "index"], name="turn_unique_index")
        ]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.text[:40]}"
