from django.db import migrations


def load(apps, schema_editor):
    from ntm.resources.services import funding_sources_load

    funding_sources_load(apps.get_model("resources", "FundingSource"))


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
