"""Reading procopt's hand-written files (models, scenarios, KPI files): one YAML reader, one error style."""
