from translators.export import airflow_dags
import shop_assets
globals().update(airflow_dags(shop_assets, env="prod"))
