"""The story index's rows carry their item's day: the desk's window is a range of the index."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_days(apps, schema_editor):
    StoryBand = apps.get_model("digests", "StoryBand")
    Item = apps.get_model("digests", "Item")
    day = Item.objects.filter(pk=OuterRef("item_id")).values("digest__date")[:1]
    StoryBand.objects.update(day=Subquery(day))


class Migration(migrations.Migration):
    dependencies = [("digests", "0016_desk_memory")]

    operations = [
        migrations.AddField(
            model_name="storyband", name="day", field=models.DateField(null=True)
        ),
        migrations.RunPython(copy_days, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(model_name="storyband", name="day", field=models.DateField()),
        migrations.RemoveIndex(model_name="storyband", name="storyband_lookup"),
        migrations.AddIndex(
            model_name="storyband",
            index=models.Index(fields=["band", "value", "day", "item"], name="storyband_window"),
        ),
    ]
