"""Counters that say when what readers may see last changed, kept in the database."""

from django.db import models


class PublicCounter(models.Model):
    """A named counter (the public generation, the names generation), raised in the same
    transaction as the change it stands for, so that no cache failure can lose it."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.PositiveBigIntegerField(default=1)

    class Meta:
        verbose_name = "public counter"
        verbose_name_plural = "public counters"

    def __str__(self):
        return f"{self.name}={self.value}"
