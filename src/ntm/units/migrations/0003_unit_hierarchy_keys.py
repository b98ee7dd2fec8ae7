from django.db import migrations, models


def fill_keys(apps, schema_editor):
    from ntm.units.paths import hierarchy_keys

    Unit = apps.get_model("units", "Unit")
    units = list(Unit.objects.only("pk", "path", "level"))
    for unit in units:
        unit.province_key, unit.district_key = hierarchy_keys(unit.path, unit.level)
    Unit.objects.bulk_update(units, ["province_key", "district_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("units", "0002_unit_changes_history")]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="province_key",
            field=models.PositiveIntegerField(db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="unit",
            name="district_key",
            field=models.PositiveIntegerField(db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalunit",
            name="province_key",
            field=models.PositiveIntegerField(db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalunit",
            name="district_key",
            field=models.PositiveIntegerField(db_index=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
