"""Airflow's DAGs folder entry for the shop assets (examples/deploy/ on the PYTHONPATH)."""

import shop_assets

from translators.export import airflow_dags

globals().update(airflow_dags(shop_assets, env="prod"))
